//! The server's certificate: a fresh self-signed one for 127.0.0.1 and localhost, or
//! the caller's, and the SHA-256 of its SubjectPublicKeyInfo that Chromium pins with
//! `--ignore-certificate-errors-spki-list` (over QUIC, `--ignore-certificate-errors`
//! alone is not enough).

use std::error::Error;
use std::fs;
use std::path::PathBuf;

use base64::Engine;
use boring::hash::{hash, MessageDigest};
use boring::x509::X509;

/// PEM files quiche loads its certificate chain and key from.
pub struct CertFiles {
    /// The certificate chain (PEM).
    pub cert: PathBuf,
    /// The private key (PEM).
    pub key: PathBuf,
    /// Removed when dropped: the generated pair, not the caller's.
    generated: bool,
}

impl CertFiles {
    /// The caller's files, as given.
    pub fn given(cert: PathBuf, key: PathBuf) -> Self {
        Self {
            cert,
            key,
            generated: false,
        }
    }

    /// A fresh self-signed certificate for `127.0.0.1` and `localhost`, written to the
    /// temporary directory (quiche reads PEM files by path only).
    pub fn self_signed() -> Result<Self, Box<dyn Error>> {
        let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
        let certified = rcgen::generate_simple_self_signed(names)?;
        let base = std::env::temp_dir().join(format!("h3-server-{}", std::process::id()));
        let files = Self {
            cert: base.with_extension("cert.pem"),
            key: base.with_extension("key.pem"),
            generated: true,
        };
        fs::write(&files.cert, certified.cert.pem())?;
        fs::write(&files.key, certified.key_pair.serialize_pem())?;
        Ok(files)
    }

    /// The base64 SHA-256 of the certificate's SubjectPublicKeyInfo (DER).
    pub fn spki_sha256(&self) -> Result<String, Box<dyn Error>> {
        let chain = X509::stack_from_pem(&fs::read(&self.cert)?)?;
        let leaf = chain.first().ok_or("no certificate in the PEM file")?;
        let spki = leaf.public_key()?.public_key_to_der()?;
        let digest = hash(MessageDigest::sha256(), &spki)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(&*digest))
    }
}

impl Drop for CertFiles {
    fn drop(&mut self) {
        if self.generated {
            let _ = fs::remove_file(&self.cert);
            let _ = fs::remove_file(&self.key);
        }
    }
}
