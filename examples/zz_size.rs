use ws_handshake::io::{tokio::accept, Server};
use ws_handshake::ServerConfig;
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = Server::new(ServerConfig::new());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let c = tokio::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    let f = accept(&server, c);
    println!("accept future: {} bytes; sleep {}", std::mem::size_of_val(&f), std::mem::size_of::<tokio::time::Sleep>());
}
