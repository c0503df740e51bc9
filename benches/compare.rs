//! Old vs new in one binary: the crate at another git revision (`ws_handshake_old`),
//! the working tree (`ws_handshake`) and the working tree again under another name
//! (`ws_handshake_twin`, the A/A control), plus the floors of `benches/floors.rs`.
//! Built and driven by `benches/compare.sh REV`, which writes its manifest.
//!
//! ```text
//! compare count <impl> <workload> <runs>   # for callgrind; impl: old new twin floor
//! compare time <rounds> [counts-file]      # interleaved timing, then the table
//! ```

use std::hint::black_box;
use std::time::Instant;

#[path = "floors.rs"]
mod floors;
#[path = "inputs.rs"]
mod inputs;

// The per-revision adapter: which crate copy, and the server outcome's name.
mod new {
    use ws_handshake as ws;
    use ws_handshake::ServerFeed;
    fn reject(plain: &ws::Request<'_>) -> ws::Rejection<'static> {
        plain.reject()
    }
    include!("workloads.rs");
}
mod twin {
    use ws_handshake_twin as ws;
    use ws_handshake_twin::ServerFeed;
    fn reject(plain: &ws::Request<'_>) -> ws::Rejection<'static> {
        plain.reject()
    }
    include!("workloads.rs");
}
mod old {
    use ws_handshake_old as ws;
    #[cfg(feature = "old-feed-api")]
    use ws_handshake_old::Feed as ServerFeed;
    #[cfg(not(feature = "old-feed-api"))]
    use ws_handshake_old::ServerFeed;
    fn reject(plain: &ws::Request<'_>) -> ws::Rejection<'static> {
        #[cfg(feature = "old-refuse-api")]
        return plain.refuse();
        #[cfg(not(feature = "old-refuse-api"))]
        return plain.reject();
    }
    include!("workloads.rs");
}

const WORKLOADS: [&str; 6] = new::WORKLOADS;
const IMPLS: [&str; 3] = ["old", "new", "twin"];

/// Every implementation of every workload, each set up once.
struct All {
    old: old::Setup,
    new: new::Setup,
    twin: twin::Setup,
}

impl All {
    fn run(&mut self, imp: &str, workload: &str, out: &mut Vec<u8>) -> bool {
        match imp {
            "old" => self.old.run(workload, out),
            "new" => self.new.run(workload, out),
            "twin" => self.twin.run(workload, out),
            // The floors do the server workloads' job: `server` is the validating
            // floor's job; the bare floor is reported beside it.
            "floor" if workload == "server" => {
                floors::validating_floor(black_box(inputs::REQUEST), out);
                true
            }
            "floor" if workload == "bare" => {
                floors::floor(black_box(inputs::REQUEST), out);
                true
            }
            _ => false,
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut all = All {
        old: old::Setup::prepare(),
        new: new::Setup::prepare(),
        twin: twin::Setup::prepare(),
    };
    let mut out = Vec::with_capacity(1024);
    match args[..] {
        ["count", imp, workload, runs] => {
            let runs: u64 = runs.parse().expect("runs: a number");
            // One run outside the count (with runs = 0 too), so warm-up cancels out.
            assert!(all.run(imp, workload, &mut out), "unknown {imp} {workload}");
            for _ in 0..runs {
                all.run(imp, workload, &mut out);
            }
        }
        ["time", rounds] => time(&mut all, rounds.parse().expect("rounds"), None),
        ["time", rounds, counts] => time(&mut all, rounds.parse().expect("rounds"), Some(counts)),
        _ => {
            eprintln!(
                "usage: compare count <impl> <workload> <runs> | compare time <rounds> [counts]"
            );
            std::process::exit(2);
        }
    }
}

/// The answers must agree before anything is timed: the twin with the tree byte for
/// byte, the old revision and the validating floor with the tree where they do the
/// same job (a difference is printed, not hidden).
fn check(all: &mut All) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for w in WORKLOADS {
        all.run("new", w, &mut a);
        all.run("twin", w, &mut b);
        assert_eq!(a, b, "{w}: the twin answers differently");
        assert!(!a.is_empty(), "{w}: no answer");
        all.run("old", w, &mut b);
        if a != b {
            println!("note: {w}: the old revision answers differently");
        }
    }
    all.run("new", "server", &mut a);
    all.run("floor", "server", &mut b);
    assert!(b.starts_with(b"HTTP/1.1 101 "), "validating floor: {b:?}");
    if a != b {
        println!("note: the validating floor's 101 differs from the crate's");
    }
}

/// Nanoseconds per run of `runs` back-to-back runs.
fn batch(all: &mut All, imp: &str, workload: &str, runs: u32, out: &mut Vec<u8>) -> f64 {
    let start = Instant::now();
    for _ in 0..runs {
        all.run(imp, workload, out);
    }
    start.elapsed().as_nanos() as f64 / f64::from(runs)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Interleaved batches: in every round each workload runs a batch of every
/// implementation, in an order that rotates from round to round; ratios are taken
/// within a round (same machine state) and the medians over rounds are printed.
fn time(all: &mut All, rounds: usize, counts: Option<&str>) {
    check(all);
    let counts = counts.map(read_counts).unwrap_or_default();
    let mut out = Vec::with_capacity(1024);
    let rows: Vec<(&str, Vec<&str>)> = WORKLOADS
        .iter()
        .map(|&w| {
            let mut imps = IMPLS.to_vec();
            if w == "server" {
                imps.push("floor");
            }
            (w, imps)
        })
        .chain([("bare", vec!["floor"])])
        .collect();
    // Batch sizes: about 5 ms each, from one calibration run.
    let sizes: Vec<u32> = rows
        .iter()
        .map(|(w, imps)| {
            let ns = batch(all, imps[0], w, 200, &mut out).max(1.0);
            ((5e6 / ns) as u32).max(10)
        })
        .collect();
    let mut ns: Vec<Vec<Vec<f64>>> = rows
        .iter()
        .map(|(_, i)| vec![Vec::new(); i.len()])
        .collect();
    for round in 0..rounds {
        for (r, (w, imps)) in rows.iter().enumerate() {
            for k in 0..imps.len() {
                let i = (k + round) % imps.len();
                let t = batch(all, imps[i], w, sizes[r], &mut out);
                ns[r][i].push(t);
            }
        }
    }
    let ratio = |a: &[f64], b: &[f64]| median(a.iter().zip(b).map(|(x, y)| x / y).collect());
    let count = |imp: &str, w: &str| counts.iter().find(|c| c.0 == imp && c.1 == w).map(|c| c.2);
    let fmt_count = |c: Option<u64>| c.map_or("–".to_string(), |c| c.to_string());
    let fmt_ratio = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(a), Some(b)) if b > 0 => format!("{:.3}", a as f64 / b as f64),
        _ => "–".to_string(),
    };
    println!(
        "medians of {rounds} rounds of interleaved batches; instructions per handshake by callgrind\n"
    );
    println!("| workload | instr old | instr new | new/old instr | ns old | ns new | time new/old | A/A time twin/new |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (r, (w, imps)) in rows.iter().enumerate() {
        if imps[0] != "old" {
            continue;
        }
        let (old, new, twin) = (&ns[r][0], &ns[r][1], &ns[r][2]);
        println!(
            "| {w} | {} | {} | {} | {:.0} | {:.0} | {:.3} | {:.3} |",
            fmt_count(count("old", w)),
            fmt_count(count("new", w)),
            fmt_ratio(count("new", w), count("old", w)),
            median(old.clone()),
            median(new.clone()),
            ratio(new, old),
            ratio(twin, new),
        );
    }
    let server = &ns[0];
    let (vfloor, bare) = (&server[3], &ns[rows.len() - 1][0]);
    let full = &ns[1][1];
    println!("\n| floor | instr | ns | crate server / floor (instr, time) | crate server_full / floor (instr, time) |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, key, t) in [
        ("validating floor", "server", vfloor),
        ("bare floor", "bare", bare),
    ] {
        let c = count("floor", key);
        println!(
            "| {name} | {} | {:.0} | {}, {:.3} | {}, {:.3} |",
            fmt_count(c),
            median(t.clone()),
            fmt_ratio(count("new", "server"), c),
            ratio(&server[1], t),
            fmt_ratio(count("new", "server_full"), c),
            ratio(full, t),
        );
    }
}

/// Lines `impl workload instructions` written by compare.sh.
fn read_counts(path: &str) -> Vec<(String, String, u64)> {
    let text = std::fs::read_to_string(path).expect("counts file");
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((
                f.next()?.to_string(),
                f.next()?.to_string(),
                f.next()?.parse().ok()?,
            ))
        })
        .collect()
}
