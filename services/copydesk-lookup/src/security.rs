//! TLS and authentication of the gRPC server, made from the configured
//! files at start, so a bad certificate or an empty tokens file fails the
//! start rather than the first connection.

use tonic::transport::server::ServerTlsConfig;
use tonic::transport::{Certificate, Identity, Server};

use crate::LookupError;
use crate::auth::Tokens;
use crate::config::Security;

/// What the server needs of the security settings.
pub(crate) struct Secured {
    pub(crate) tls: Option<ServerTlsConfig>,
    pub(crate) tokens: Option<Tokens>,
    pub(crate) reflection: bool,
    /// How often the tokens file is checked for a rotation.
    pub(crate) reload: std::time::Duration,
}

impl Secured {
    /// Reads and checks every file the settings name; every problem at once.
    pub(crate) fn load(security: &Security) -> Result<Secured, LookupError> {
        let mut errors = Vec::new();
        let mut read = |flag: &str, path: &std::path::Path| {
            std::fs::read(path).map_err(|e| errors.push(format!("{flag}: {}: {e}", path.display()))).ok()
        };
        let cert = security.tls_cert.as_deref().and_then(|p| read("tls-cert", p));
        let key = security.tls_key.as_deref().and_then(|p| read("tls-key", p));
        let ca = security.tls_client_ca.as_deref().and_then(|p| read("tls-client-ca", p));
        let tls = match (cert, key) {
            (Some(cert), Some(key)) => {
                let mut tls = ServerTlsConfig::new().identity(Identity::from_pem(cert, key));
                if let Some(ca) = ca {
                    // Client certificates are then required, not optional.
                    tls = tls.client_ca_root(Certificate::from_pem(ca));
                }
                // Building the acceptor parses the PEM files now.
                match Server::builder().tls_config(tls.clone()) {
                    Ok(_) => Some(tls),
                    Err(e) => {
                        errors.push(format!("tls-cert, tls-key, tls-client-ca: {e}"));
                        None
                    }
                }
            }
            _ => None,
        };
        let tokens = match security.auth_tokens_file.as_deref().map(Tokens::load).transpose() {
            Ok(tokens) => tokens,
            Err(LookupError::Config(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(e) => return Err(e),
        };
        if !errors.is_empty() {
            return Err(LookupError::Config(errors));
        }
        Ok(Secured { tls, tokens, reflection: security.reflection, reload: security.auth_reload() })
    }
}
