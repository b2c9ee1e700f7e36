//! The lookup service's security settings: TLS (rustls), client
//! certificates, bearer tokens from a file that may be rotated while
//! running, and whether reflection is served.

use std::path::PathBuf;
use std::time::Duration;

/// Security of `copydesk serve` (flattened into [`crate::LookupConfig`]).
#[derive(Debug, Clone, clap::Args)]
pub struct Security {
    /// PEM certificate chain to serve gRPC over TLS with (needs --tls-key).
    #[arg(long, env = "COPYDESK_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, env = "COPYDESK_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// PEM CA certificate(s): clients must then present a certificate it
    /// signed (mutual TLS). Needs --tls-cert.
    #[arg(long, env = "COPYDESK_TLS_CLIENT_CA")]
    pub tls_client_ca: Option<PathBuf>,
    /// A file of bearer tokens, one per line (`#` starts a comment): every
    /// ArticleService and reflection call must then send
    /// `authorization: Bearer TOKEN`. The file is re-read when it changes, so
    /// tokens rotate without a restart. Health checks stay open to probes.
    #[arg(long, env = "COPYDESK_AUTH_TOKENS_FILE")]
    pub auth_tokens_file: Option<PathBuf>,
    /// How often the tokens file is checked for changes, in seconds.
    #[arg(long, env = "COPYDESK_AUTH_RELOAD_SECS", default_value_t = 2)]
    pub auth_reload_secs: u64,
    /// Serve gRPC server reflection (v1 and v1alpha); `false` turns it off.
    #[arg(long, env = "COPYDESK_REFLECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub reflection: bool,
}

impl Security {
    /// Every problem, for the configuration's combined report.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut errors = Vec::new();
        match (&self.tls_cert, &self.tls_key) {
            (Some(_), None) => errors.push("tls-key: required with tls-cert".to_string()),
            (None, Some(_)) => errors.push("tls-cert: required with tls-key".to_string()),
            _ => {}
        }
        if self.tls_client_ca.is_some() && self.tls_cert.is_none() {
            errors.push("tls-client-ca: client certificates need TLS (tls-cert and tls-key)".to_string());
        }
        let files = [
            ("tls-cert", &self.tls_cert),
            ("tls-key", &self.tls_key),
            ("tls-client-ca", &self.tls_client_ca),
            ("auth-tokens-file", &self.auth_tokens_file),
        ];
        for (flag, path) in files {
            if let Some(path) = path
                && !path.is_file()
            {
                errors.push(format!("{flag}: {} is not a readable file", path.display()));
            }
        }
        if self.auth_reload_secs == 0 {
            errors.push("auth-reload-secs: must be at least 1".to_string());
        }
        errors
    }

    pub fn auth_reload(&self) -> Duration {
        Duration::from_secs(self.auth_reload_secs)
    }
}
