//! Callers: bearer tokens checked against stored sha256 hashes in constant time, scopes, jurisdictions, and a
//! token-bucket rate limit per caller.

use crate::config::CallerConfig;
use crate::error::ApiError;
use sha2::{Digest, Sha256};
use std::sync::Mutex;
use std::time::Instant;

/// A caller the request was authenticated as.
pub struct Caller {
    pub name: String,
    token_hash: [u8; 32],
    jurisdictions: Vec<String>,
    scopes: Vec<String>,
    bucket: Option<Mutex<Bucket>>,
}

struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self, n: f64) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.at).as_secs_f64();
        self.at = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= n {
            self.tokens -= n;
            true
        } else {
            false
        }
    }
}

impl Caller {
    fn from_config(c: &CallerConfig) -> Result<Caller, String> {
        let token_hash = xince_abi::signature::hex_decode::<32>(&c.token_sha256)
            .map_err(|e| format!("{}: token_sha256: {e}", c.name))?;
        let bucket = c.rate_per_second.map(|rate| {
            let burst = c.burst.unwrap_or(rate).max(1.0);
            Mutex::new(Bucket { rate, burst, tokens: burst, at: Instant::now() })
        });
        Ok(Caller {
            name: c.name.clone(),
            token_hash,
            jurisdictions: c.jurisdictions.clone(),
            scopes: c.scopes.clone(),
            bucket,
        })
    }

    fn anonymous() -> Caller {
        Caller {
            name: "anonymous".into(),
            token_hash: [0; 32],
            jurisdictions: vec![String::new()],
            scopes: crate::config::SCOPES.iter().map(|s| s.to_string()).collect(),
            bucket: None,
        }
    }

    /// 403 unless the caller holds `scope`.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.scopes.iter().any(|s| s == scope) { Ok(()) } else { Err(ApiError::forbidden_scope(&self.name, scope)) }
    }

    /// Whether the caller may query this jurisdiction (segment-wise prefix; `""` covers all).
    pub fn covers(&self, jurisdiction: &str) -> bool {
        self.jurisdictions.iter().any(|p| xince_abi::signature::jurisdiction_covers(p, jurisdiction))
    }

    /// 403 unless the caller may query this jurisdiction.
    pub fn require_jurisdiction(&self, jurisdiction: &str) -> Result<(), ApiError> {
        if self.covers(jurisdiction) { Ok(()) } else { Err(ApiError::forbidden_jurisdiction(&self.name, jurisdiction)) }
    }

    /// Takes `n` decisions from the caller's bucket; 429 when it is empty.
    pub fn charge(&self, n: usize) -> Result<(), ApiError> {
        match &self.bucket {
            None => Ok(()),
            Some(b) => {
                let mut b = b.lock().map_err(|_| ApiError::rate_limited())?;
                if b.take(n as f64) { Ok(()) } else { Err(ApiError::rate_limited()) }
            }
        }
    }
}

/// Every configured caller, and whether anonymous requests are let in (development only).
pub struct Callers {
    callers: Vec<Caller>,
    anonymous: Option<Caller>,
}

/// Equality of two digests whose time does not depend on where they differ.
pub fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut diff = 0u8;
    for i in 0..32 {
        diff |= a[i] ^ b[i];
    }
    // Keep the compiler from turning the fold into an early exit.
    std::hint::black_box(diff) == 0
}

impl Callers {
    pub fn new(configs: &[CallerConfig], dev_anonymous: bool) -> Result<Callers, String> {
        let callers = configs.iter().map(Caller::from_config).collect::<Result<Vec<_>, _>>()?;
        Ok(Callers { callers, anonymous: dev_anonymous.then(Caller::anonymous) })
    }

    /// The caller an `Authorization` header value names. Every stored hash is compared (no early exit), so the
    /// time taken does not tell which caller, or how much of a hash, matched.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<&Caller, ApiError> {
        let Some(value) = authorization else {
            return self.anonymous.as_ref().ok_or_else(|| ApiError::unauthenticated("E_AUTH_MISSING"));
        };
        let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim);
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(ApiError::unauthenticated("E_AUTH_INVALID"));
        };
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = None;
        for (i, c) in self.callers.iter().enumerate() {
            if constant_time_eq(&hash, &c.token_hash) {
                found = Some(i);
            }
        }
        found.map(|i| &self.callers[i]).ok_or_else(|| ApiError::unauthenticated("E_AUTH_INVALID"))
    }

    pub fn len(&self) -> usize {
        self.callers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.callers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(token: &str, scopes: &[&str], jurisdictions: &[&str]) -> CallerConfig {
        CallerConfig {
            name: format!("caller-{token}"),
            token_sha256: crate::engine::hex(&Sha256::digest(token.as_bytes())),
            jurisdictions: jurisdictions.iter().map(|s| s.to_string()).collect(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            rate_per_second: None,
            burst: None,
        }
    }

    #[test]
    fn tokens_scopes_and_jurisdictions() {
        let callers =
            Callers::new(&[config("a", &["evaluate"], &["重庆市/巫山县"]), config("b", &["read"], &[""])], false)
                .unwrap_or_else(|e| panic!("{e}"));
        let a = callers.authenticate(Some("Bearer a")).unwrap_or_else(|e| panic!("{:?}", e.body));
        assert_eq!(a.name, "caller-a");
        assert!(a.require("evaluate").is_ok());
        assert_eq!(a.require("read").map_err(|e| e.body.code), Err("E_FORBIDDEN_SCOPE".to_string()));
        assert!(a.covers("重庆市/巫山县/司法局"));
        assert!(!a.covers("重庆市/巫山县外"));
        assert!(!a.covers("重庆市"));
        let b = callers.authenticate(Some("Bearer b")).unwrap_or_else(|e| panic!("{:?}", e.body));
        assert!(b.covers("湖北省/武汉市"));
        let code = |r: Result<&Caller, ApiError>| r.err().map(|e| e.body.code);
        assert_eq!(code(callers.authenticate(Some("Bearer c"))), Some("E_AUTH_INVALID".into()));
        assert_eq!(code(callers.authenticate(Some("Basic a"))), Some("E_AUTH_INVALID".into()));
        assert_eq!(code(callers.authenticate(None)), Some("E_AUTH_MISSING".into()));
    }

    #[test]
    fn anonymous_only_with_the_development_flag() {
        let dev = Callers::new(&[], true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(dev.authenticate(None).map(|c| c.name.clone()).ok(), Some("anonymous".into()));
        // A wrong token is still refused when anonymous access is on.
        assert!(dev.authenticate(Some("Bearer x")).is_err());
    }

    #[test]
    fn bucket_refuses_beyond_burst() {
        let mut c = config("a", &["evaluate"], &[""]);
        c.rate_per_second = Some(1.0);
        c.burst = Some(3.0);
        let callers = Callers::new(&[c], false).unwrap_or_else(|e| panic!("{e}"));
        let a = callers.authenticate(Some("Bearer a")).unwrap_or_else(|e| panic!("{:?}", e.body));
        assert!(a.charge(2).is_ok());
        assert!(a.charge(1).is_ok());
        assert_eq!(a.charge(1).map_err(|e| e.body.code), Err("E_RATE_LIMITED".to_string()));
    }

    #[test]
    fn constant_time_eq_is_equality() {
        let a = [7u8; 32];
        let mut b = a;
        assert!(constant_time_eq(&a, &b));
        b[31] = 8;
        assert!(!constant_time_eq(&a, &b));
    }
}
