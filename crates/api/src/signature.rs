//! The webhook signature: `Kassa-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
//! `"<t>.<raw body>"`, keyed with the endpoint's secret (`whsec_…`, the whole string). During a
//! secret rotation the header carries one `v1` per valid secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// The header's name.
pub const HEADER: &str = "Kassa-Signature";

/// How old a signature may be by default (api-conventions: receivers reject older than 300 s).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// The header value signing `payload` at `timestamp` with each of `secrets`.
pub fn sign(payload: &[u8], timestamp: i64, secrets: &[&str]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&hex::encode(mac(secret, timestamp, payload).finalize().into_bytes()));
    }
    header
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// The header is not `t=…,v1=…`.
    Malformed,
    /// The timestamp is further from now than the tolerance (a replay, or a wrong clock).
    OutsideTolerance {
        /// How far from now, in seconds.
        age_seconds: i64,
    },
    /// No `v1` signature matches the secret.
    NoMatch,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureError::Malformed => f.write_str("the Kassa-Signature header is not `t=<seconds>,v1=<hex>`"),
            SignatureError::OutsideTolerance { age_seconds } => {
                write!(f, "the signature's timestamp is {age_seconds} s from now, outside the tolerance")
            }
            SignatureError::NoMatch => f.write_str("no signature in Kassa-Signature matches the secret"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// Checks `header` against `payload` and `secret` at `now` (Unix seconds): the timestamp
/// within `tolerance`, and any one `v1` matching (compared in constant time).
pub fn verify(payload: &[u8], header: &str, secret: &str, tolerance: Duration, now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = Some(v.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            Some(("v1", v)) => signatures.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?),
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let age = now.saturating_sub(timestamp);
    if age.unsigned_abs() > tolerance.as_secs() {
        return Err(SignatureError::OutsideTolerance { age_seconds: age });
    }
    let expected = mac(secret, timestamp, payload);
    if signatures.iter().any(|sig| expected.clone().verify_slice(sig).is_ok()) {
        Ok(())
    } else {
        Err(SignatureError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_tampering_does_not() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, 1_700_000_000, &["whsec_new", "whsec_old"]);
        assert_eq!(header.matches("v1=").count(), 2);
        let tolerance = Duration::from_secs(300);
        assert_eq!(verify(body, &header, "whsec_new", tolerance, 1_700_000_100), Ok(()));
        assert_eq!(verify(body, &header, "whsec_old", tolerance, 1_700_000_100), Ok(()));
        assert_eq!(verify(body, &header, "whsec_other", tolerance, 1_700_000_100), Err(SignatureError::NoMatch));
        assert_eq!(verify(b"{}", &header, "whsec_new", tolerance, 1_700_000_100), Err(SignatureError::NoMatch));
        assert!(matches!(
            verify(body, &header, "whsec_new", tolerance, 1_700_000_301),
            Err(SignatureError::OutsideTolerance { .. })
        ));
        for bad in ["", "t=1", "v1=00", "t=x,v1=00", "t=1,v1=zz", "garbage"] {
            assert_eq!(verify(body, bad, "whsec_new", tolerance, 1), Err(SignatureError::Malformed), "{bad}");
        }
    }

    #[test]
    fn matches_an_independent_hmac() {
        // printf '1.{}' | openssl dgst -sha256 -hmac whsec_test
        let header = sign(b"{}", 1, &["whsec_test"]);
        assert_eq!(header, "t=1,v1=7500d5d4be4b3ef07af1fe56f7d522d135cdaa7530de557e67cc1049c52de094");
    }

    proptest::proptest! {
        #[test]
        fn a_signed_payload_verifies_only_as_signed(
            payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            secret in "whsec_[A-Za-z0-9]{1,32}",
            t in 0i64..4_000_000_000,
            flip in proptest::prelude::any::<proptest::sample::Index>(),
        ) {
            let header = sign(&payload, t, &[&secret]);
            let tolerance = Duration::from_secs(300);
            proptest::prop_assert_eq!(verify(&payload, &header, &secret, tolerance, t), Ok(()));
            proptest::prop_assert_eq!(verify(&payload, &header, "whsec_other", tolerance, t), Err(SignatureError::NoMatch));
            if !payload.is_empty() {
                let mut altered = payload.clone();
                altered[flip.index(payload.len())] ^= 1;
                proptest::prop_assert_eq!(verify(&altered, &header, &secret, tolerance, t), Err(SignatureError::NoMatch));
            }
        }

        #[test]
        fn any_header_is_refused_without_a_panic(header in ".{0,120}", now in proptest::prelude::any::<i64>()) {
            // Only a real signature with this secret could verify; a random header never does.
            let refused = verify(b"{}", &header, "whsec_x", Duration::from_secs(300), now).is_err();
            proptest::prop_assert!(refused);
        }

        #[test]
        fn headers_shaped_like_ours_are_refused_without_a_panic(
            t in "-?[0-9]{0,25}",
            v1 in "[0-9a-fA-F]{0,70}",
            extra in "[a-z0-9=,]{0,20}",
        ) {
            let header = format!("t={t},v1={v1},{extra}");
            let refused = verify(b"{}", &header, "whsec_x", Duration::from_secs(u64::MAX / 2), 0).is_err();
            proptest::prop_assert!(refused);
        }
    }
}
