//! TLS through rustls with the `ring` provider (the default `rustls` feature):
//! the client builds without a process-wide provider installed, speaks TLS to
//! a real server on 127.0.0.1, and refuses a certificate no platform root
//! signed, with an error that says so instead of a panic.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A self-signed certificate for `localhost` and 127.0.0.1 (valid 100 years),
/// and its key. Nothing trusts it; that is the point.
const CERT: &[u8] = include_bytes!("fixtures/self-signed-localhost.crt.der");
const KEY: &[u8] = include_bytes!("fixtures/self-signed-localhost.key.der");

/// Serves one TLS handshake on a thread; returns the port and what the server
/// saw: `Ok(bytes read)` after a completed handshake, or the TLS error.
fn tls_server() -> (u16, std::thread::JoinHandle<Result<usize, String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local address").port();
    let handle = std::thread::spawn(move || {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(CERT.to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(KEY.to_vec())),
            )
            .map_err(|e| e.to_string())?;
        let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
        let conn = rustls::ServerConnection::new(Arc::new(config)).map_err(|e| e.to_string())?;
        let mut stream = rustls::StreamOwned::new(conn, tcp);
        let mut buf = [0u8; 1024];
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
        Ok(n)
    });
    (port, handle)
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_with_a_clear_error() {
    let (port, server) = tls_server();
    let client = spotnana::Client::builder()
        .with_base_url(format!("https://localhost:{port}"))
        .with_static_token("tls-test-token")
        .with_retry_policy(spotnana::RetryPolicy::disabled())
        .build()
        .expect("the client builds with the ring provider and no process-wide default");
    let err = spotnana::Error::from(client.list_companies().send().await.expect_err("an untrusted certificate"));
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        chain.push_str(&format!(" <- {s}"));
        source = s.source();
    }
    assert!(chain.to_lowercase().contains("certificate"), "the error names the certificate: {chain}");
    assert!(!chain.contains("tls-test-token"), "the token stays out of errors: {chain}");
    let seen = server.join().expect("the server thread");
    let tls_error = seen.expect_err("the client must abort the handshake, not send a request");
    assert!(!tls_error.is_empty());
}
