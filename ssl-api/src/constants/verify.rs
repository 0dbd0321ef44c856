//! OpenSSL's certificate verification results (`X509_V_*`, from
//! `x509_vfy.h` of OpenSSL 3.0): the codes every backend reports as
//! `SSLCertVerificationError.verify_code`, with OpenSSL's text for each
//! (`X509_verify_cert_error_string`, the `verify_message` CPython shows).

/// `X509_V_OK` (0): "ok".
pub const X509_V_OK: i64 = 0;
/// `X509_V_ERR_UNSPECIFIED` (1): "unspecified certificate verification error".
pub const X509_V_ERR_UNSPECIFIED: i64 = 1;
/// `X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT` (2): "unable to get issuer certificate".
pub const X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT: i64 = 2;
/// `X509_V_ERR_UNABLE_TO_GET_CRL` (3): "unable to get certificate CRL".
pub const X509_V_ERR_UNABLE_TO_GET_CRL: i64 = 3;
/// `X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE` (4): "unable to decrypt certificate's signature".
pub const X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE: i64 = 4;
/// `X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE` (5): "unable to decrypt CRL's signature".
pub const X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE: i64 = 5;
/// `X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY` (6): "unable to decode issuer public key".
pub const X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: i64 = 6;
/// `X509_V_ERR_CERT_SIGNATURE_FAILURE` (7): "certificate signature failure".
pub const X509_V_ERR_CERT_SIGNATURE_FAILURE: i64 = 7;
/// `X509_V_ERR_CRL_SIGNATURE_FAILURE` (8): "CRL signature failure".
pub const X509_V_ERR_CRL_SIGNATURE_FAILURE: i64 = 8;
/// `X509_V_ERR_CERT_NOT_YET_VALID` (9): "certificate is not yet valid".
pub const X509_V_ERR_CERT_NOT_YET_VALID: i64 = 9;
/// `X509_V_ERR_CERT_HAS_EXPIRED` (10): "certificate has expired".
pub const X509_V_ERR_CERT_HAS_EXPIRED: i64 = 10;
/// `X509_V_ERR_CRL_NOT_YET_VALID` (11): "CRL is not yet valid".
pub const X509_V_ERR_CRL_NOT_YET_VALID: i64 = 11;
/// `X509_V_ERR_CRL_HAS_EXPIRED` (12): "CRL has expired".
pub const X509_V_ERR_CRL_HAS_EXPIRED: i64 = 12;
/// `X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD` (13): "format error in certificate's notBefore field".
pub const X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD: i64 = 13;
/// `X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD` (14): "format error in certificate's notAfter field".
pub const X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD: i64 = 14;
/// `X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD` (15): "format error in CRL's lastUpdate field".
pub const X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD: i64 = 15;
/// `X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD` (16): "format error in CRL's nextUpdate field".
pub const X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD: i64 = 16;
/// `X509_V_ERR_OUT_OF_MEM` (17): "out of memory".
pub const X509_V_ERR_OUT_OF_MEM: i64 = 17;
/// `X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT` (18): "self-signed certificate".
pub const X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: i64 = 18;
/// `X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN` (19): "self-signed certificate in certificate chain".
pub const X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: i64 = 19;
/// `X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY` (20): "unable to get local issuer certificate".
pub const X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: i64 = 20;
/// `X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE` (21): "unable to verify the first certificate".
pub const X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: i64 = 21;
/// `X509_V_ERR_CERT_CHAIN_TOO_LONG` (22): "certificate chain too long".
pub const X509_V_ERR_CERT_CHAIN_TOO_LONG: i64 = 22;
/// `X509_V_ERR_CERT_REVOKED` (23): "certificate revoked".
pub const X509_V_ERR_CERT_REVOKED: i64 = 23;
/// `X509_V_ERR_NO_ISSUER_PUBLIC_KEY` (24): "issuer certificate doesn't have a public key".
pub const X509_V_ERR_NO_ISSUER_PUBLIC_KEY: i64 = 24;
/// `X509_V_ERR_PATH_LENGTH_EXCEEDED` (25): "path length constraint exceeded".
pub const X509_V_ERR_PATH_LENGTH_EXCEEDED: i64 = 25;
/// `X509_V_ERR_INVALID_PURPOSE` (26): "unsuitable certificate purpose".
pub const X509_V_ERR_INVALID_PURPOSE: i64 = 26;
/// `X509_V_ERR_CERT_UNTRUSTED` (27): "certificate not trusted".
pub const X509_V_ERR_CERT_UNTRUSTED: i64 = 27;
/// `X509_V_ERR_CERT_REJECTED` (28): "certificate rejected".
pub const X509_V_ERR_CERT_REJECTED: i64 = 28;
/// `X509_V_ERR_SUBJECT_ISSUER_MISMATCH` (29): "subject issuer mismatch".
pub const X509_V_ERR_SUBJECT_ISSUER_MISMATCH: i64 = 29;
/// `X509_V_ERR_AKID_SKID_MISMATCH` (30): "authority and subject key identifier mismatch".
pub const X509_V_ERR_AKID_SKID_MISMATCH: i64 = 30;
/// `X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH` (31): "authority and issuer serial number mismatch".
pub const X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH: i64 = 31;
/// `X509_V_ERR_KEYUSAGE_NO_CERTSIGN` (32): "key usage does not include certificate signing".
pub const X509_V_ERR_KEYUSAGE_NO_CERTSIGN: i64 = 32;
/// `X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER` (33): "unable to get CRL issuer certificate".
pub const X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER: i64 = 33;
/// `X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION` (34): "unhandled critical extension".
pub const X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION: i64 = 34;
/// `X509_V_ERR_KEYUSAGE_NO_CRL_SIGN` (35): "key usage does not include CRL signing".
pub const X509_V_ERR_KEYUSAGE_NO_CRL_SIGN: i64 = 35;
/// `X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION` (36): "unhandled critical CRL extension".
pub const X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION: i64 = 36;
/// `X509_V_ERR_INVALID_NON_CA` (37): "invalid non-CA certificate (has CA markings)".
pub const X509_V_ERR_INVALID_NON_CA: i64 = 37;
/// `X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED` (38): "proxy path length constraint exceeded".
pub const X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED: i64 = 38;
/// `X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE` (39): "key usage does not include digital signature".
pub const X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE: i64 = 39;
/// `X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED` (40): "proxy certificates not allowed, please set the appropriate flag".
pub const X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED: i64 = 40;
/// `X509_V_ERR_INVALID_EXTENSION` (41): "invalid or inconsistent certificate extension".
pub const X509_V_ERR_INVALID_EXTENSION: i64 = 41;
/// `X509_V_ERR_INVALID_POLICY_EXTENSION` (42): "invalid or inconsistent certificate policy extension".
pub const X509_V_ERR_INVALID_POLICY_EXTENSION: i64 = 42;
/// `X509_V_ERR_NO_EXPLICIT_POLICY` (43): "no explicit policy".
pub const X509_V_ERR_NO_EXPLICIT_POLICY: i64 = 43;
/// `X509_V_ERR_DIFFERENT_CRL_SCOPE` (44): "different CRL scope".
pub const X509_V_ERR_DIFFERENT_CRL_SCOPE: i64 = 44;
/// `X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE` (45): "unsupported extension feature".
pub const X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE: i64 = 45;
/// `X509_V_ERR_UNNESTED_RESOURCE` (46): "RFC 3779 resource not subset of parent's resources".
pub const X509_V_ERR_UNNESTED_RESOURCE: i64 = 46;
/// `X509_V_ERR_PERMITTED_VIOLATION` (47): "permitted subtree violation".
pub const X509_V_ERR_PERMITTED_VIOLATION: i64 = 47;
/// `X509_V_ERR_EXCLUDED_VIOLATION` (48): "excluded subtree violation".
pub const X509_V_ERR_EXCLUDED_VIOLATION: i64 = 48;
/// `X509_V_ERR_SUBTREE_MINMAX` (49): "name constraints minimum and maximum not supported".
pub const X509_V_ERR_SUBTREE_MINMAX: i64 = 49;
/// `X509_V_ERR_APPLICATION_VERIFICATION` (50): "application verification failure".
pub const X509_V_ERR_APPLICATION_VERIFICATION: i64 = 50;
/// `X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE` (51): "unsupported name constraint type".
pub const X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE: i64 = 51;
/// `X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX` (52): "unsupported or invalid name constraint syntax".
pub const X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX: i64 = 52;
/// `X509_V_ERR_UNSUPPORTED_NAME_SYNTAX` (53): "unsupported or invalid name syntax".
pub const X509_V_ERR_UNSUPPORTED_NAME_SYNTAX: i64 = 53;
/// `X509_V_ERR_CRL_PATH_VALIDATION_ERROR` (54): "CRL path validation error".
pub const X509_V_ERR_CRL_PATH_VALIDATION_ERROR: i64 = 54;
/// `X509_V_ERR_PATH_LOOP` (55): "path loop".
pub const X509_V_ERR_PATH_LOOP: i64 = 55;
/// `X509_V_ERR_SUITE_B_INVALID_VERSION` (56): "Suite B: certificate version invalid".
pub const X509_V_ERR_SUITE_B_INVALID_VERSION: i64 = 56;
/// `X509_V_ERR_SUITE_B_INVALID_ALGORITHM` (57): "Suite B: invalid public key algorithm".
pub const X509_V_ERR_SUITE_B_INVALID_ALGORITHM: i64 = 57;
/// `X509_V_ERR_SUITE_B_INVALID_CURVE` (58): "Suite B: invalid ECC curve".
pub const X509_V_ERR_SUITE_B_INVALID_CURVE: i64 = 58;
/// `X509_V_ERR_SUITE_B_INVALID_SIGNATURE_ALGORITHM` (59): "Suite B: invalid signature algorithm".
pub const X509_V_ERR_SUITE_B_INVALID_SIGNATURE_ALGORITHM: i64 = 59;
/// `X509_V_ERR_SUITE_B_LOS_NOT_ALLOWED` (60): "Suite B: curve not allowed for this LOS".
pub const X509_V_ERR_SUITE_B_LOS_NOT_ALLOWED: i64 = 60;
/// `X509_V_ERR_SUITE_B_CANNOT_SIGN_P_384_WITH_P_256` (61): "Suite B: cannot sign P-384 with P-256".
pub const X509_V_ERR_SUITE_B_CANNOT_SIGN_P_384_WITH_P_256: i64 = 61;
/// `X509_V_ERR_HOSTNAME_MISMATCH` (62): "hostname mismatch".
pub const X509_V_ERR_HOSTNAME_MISMATCH: i64 = 62;
/// `X509_V_ERR_EMAIL_MISMATCH` (63): "email address mismatch".
pub const X509_V_ERR_EMAIL_MISMATCH: i64 = 63;
/// `X509_V_ERR_IP_ADDRESS_MISMATCH` (64): "IP address mismatch".
pub const X509_V_ERR_IP_ADDRESS_MISMATCH: i64 = 64;
/// `X509_V_ERR_DANE_NO_MATCH` (65): "no matching DANE TLSA records".
pub const X509_V_ERR_DANE_NO_MATCH: i64 = 65;
/// `X509_V_ERR_EE_KEY_TOO_SMALL` (66): "EE certificate key too weak".
pub const X509_V_ERR_EE_KEY_TOO_SMALL: i64 = 66;
/// `X509_V_ERR_CA_KEY_TOO_SMALL` (67): "CA certificate key too weak".
pub const X509_V_ERR_CA_KEY_TOO_SMALL: i64 = 67;
/// `X509_V_ERR_CA_MD_TOO_WEAK` (68): "CA signature digest algorithm too weak".
pub const X509_V_ERR_CA_MD_TOO_WEAK: i64 = 68;
/// `X509_V_ERR_INVALID_CALL` (69): "invalid certificate verification context".
pub const X509_V_ERR_INVALID_CALL: i64 = 69;
/// `X509_V_ERR_STORE_LOOKUP` (70): "issuer certificate lookup error".
pub const X509_V_ERR_STORE_LOOKUP: i64 = 70;
/// `X509_V_ERR_NO_VALID_SCTS` (71): "Certificate Transparency required, but no valid SCTs found".
pub const X509_V_ERR_NO_VALID_SCTS: i64 = 71;
/// `X509_V_ERR_PROXY_SUBJECT_NAME_VIOLATION` (72): "proxy subject name violation".
pub const X509_V_ERR_PROXY_SUBJECT_NAME_VIOLATION: i64 = 72;
/// `X509_V_ERR_OCSP_VERIFY_NEEDED` (73): "OCSP verification needed".
pub const X509_V_ERR_OCSP_VERIFY_NEEDED: i64 = 73;
/// `X509_V_ERR_OCSP_VERIFY_FAILED` (74): "OCSP verification failed".
pub const X509_V_ERR_OCSP_VERIFY_FAILED: i64 = 74;
/// `X509_V_ERR_OCSP_CERT_UNKNOWN` (75): "OCSP unknown cert".
pub const X509_V_ERR_OCSP_CERT_UNKNOWN: i64 = 75;
/// `X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM` (76): "Cannot find certificate signature algorithm".
pub const X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM: i64 = 76;
/// `X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH` (77): "subject signature algorithm and issuer public key algorithm mismatch".
pub const X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH: i64 = 77;
/// `X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY` (78): "cert info signature and signature algorithm mismatch".
pub const X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY: i64 = 78;
/// `X509_V_ERR_INVALID_CA` (79): "invalid CA certificate".
pub const X509_V_ERR_INVALID_CA: i64 = 79;
/// `X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA` (80): "Path length invalid for non-CA cert".
pub const X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA: i64 = 80;
/// `X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN` (81): "Path length given without key usage keyCertSign".
pub const X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN: i64 = 81;
/// `X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA` (82): "Key usage keyCertSign invalid for non-CA cert".
pub const X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA: i64 = 82;
/// `X509_V_ERR_ISSUER_NAME_EMPTY` (83): "Issuer name empty".
pub const X509_V_ERR_ISSUER_NAME_EMPTY: i64 = 83;
/// `X509_V_ERR_SUBJECT_NAME_EMPTY` (84): "Subject name empty".
pub const X509_V_ERR_SUBJECT_NAME_EMPTY: i64 = 84;
/// `X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER` (85): "Missing Authority Key Identifier".
pub const X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER: i64 = 85;
/// `X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER` (86): "Missing Subject Key Identifier".
pub const X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER: i64 = 86;
/// `X509_V_ERR_EMPTY_SUBJECT_ALT_NAME` (87): "Empty Subject Alternative Name extension".
pub const X509_V_ERR_EMPTY_SUBJECT_ALT_NAME: i64 = 87;
/// `X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL` (88): "Subject empty and Subject Alt Name extension not critical".
pub const X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL: i64 = 88;
/// `X509_V_ERR_CA_BCONS_NOT_CRITICAL` (89): "Basic Constraints of CA cert not marked critical".
pub const X509_V_ERR_CA_BCONS_NOT_CRITICAL: i64 = 89;
/// `X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL` (90): "Authority Key Identifier marked critical".
pub const X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL: i64 = 90;
/// `X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL` (91): "Subject Key Identifier marked critical".
pub const X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL: i64 = 91;
/// `X509_V_ERR_CA_CERT_MISSING_KEY_USAGE` (92): "CA cert does not include key usage extension".
pub const X509_V_ERR_CA_CERT_MISSING_KEY_USAGE: i64 = 92;
/// `X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3` (93): "Using cert extension requires at least X509v3".
pub const X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3: i64 = 93;
/// `X509_V_ERR_EC_KEY_EXPLICIT_PARAMS` (94): "Certificate public key has explicit ECC parameters".
pub const X509_V_ERR_EC_KEY_EXPLICIT_PARAMS: i64 = 94;

/// Every `X509_V_*` code with its name and OpenSSL's text, in code order.
pub const X509_V_CODES: &[(i64, &str, &str)] = &[
    (X509_V_OK, "X509_V_OK", "ok"),
    (
        X509_V_ERR_UNSPECIFIED,
        "X509_V_ERR_UNSPECIFIED",
        "unspecified certificate verification error",
    ),
    (
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
        "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT",
        "unable to get issuer certificate",
    ),
    (
        X509_V_ERR_UNABLE_TO_GET_CRL,
        "X509_V_ERR_UNABLE_TO_GET_CRL",
        "unable to get certificate CRL",
    ),
    (
        X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE,
        "X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE",
        "unable to decrypt certificate's signature",
    ),
    (
        X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE,
        "X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE",
        "unable to decrypt CRL's signature",
    ),
    (
        X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY,
        "X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
        "unable to decode issuer public key",
    ),
    (
        X509_V_ERR_CERT_SIGNATURE_FAILURE,
        "X509_V_ERR_CERT_SIGNATURE_FAILURE",
        "certificate signature failure",
    ),
    (
        X509_V_ERR_CRL_SIGNATURE_FAILURE,
        "X509_V_ERR_CRL_SIGNATURE_FAILURE",
        "CRL signature failure",
    ),
    (
        X509_V_ERR_CERT_NOT_YET_VALID,
        "X509_V_ERR_CERT_NOT_YET_VALID",
        "certificate is not yet valid",
    ),
    (
        X509_V_ERR_CERT_HAS_EXPIRED,
        "X509_V_ERR_CERT_HAS_EXPIRED",
        "certificate has expired",
    ),
    (
        X509_V_ERR_CRL_NOT_YET_VALID,
        "X509_V_ERR_CRL_NOT_YET_VALID",
        "CRL is not yet valid",
    ),
    (
        X509_V_ERR_CRL_HAS_EXPIRED,
        "X509_V_ERR_CRL_HAS_EXPIRED",
        "CRL has expired",
    ),
    (
        X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD,
        "X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD",
        "format error in certificate's notBefore field",
    ),
    (
        X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD,
        "X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD",
        "format error in certificate's notAfter field",
    ),
    (
        X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD,
        "X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD",
        "format error in CRL's lastUpdate field",
    ),
    (
        X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD,
        "X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD",
        "format error in CRL's nextUpdate field",
    ),
    (
        X509_V_ERR_OUT_OF_MEM,
        "X509_V_ERR_OUT_OF_MEM",
        "out of memory",
    ),
    (
        X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
        "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT",
        "self-signed certificate",
    ),
    (
        X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
        "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN",
        "self-signed certificate in certificate chain",
    ),
    (
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
        "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        "unable to get local issuer certificate",
    ),
    (
        X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
        "X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        "unable to verify the first certificate",
    ),
    (
        X509_V_ERR_CERT_CHAIN_TOO_LONG,
        "X509_V_ERR_CERT_CHAIN_TOO_LONG",
        "certificate chain too long",
    ),
    (
        X509_V_ERR_CERT_REVOKED,
        "X509_V_ERR_CERT_REVOKED",
        "certificate revoked",
    ),
    (
        X509_V_ERR_NO_ISSUER_PUBLIC_KEY,
        "X509_V_ERR_NO_ISSUER_PUBLIC_KEY",
        "issuer certificate doesn't have a public key",
    ),
    (
        X509_V_ERR_PATH_LENGTH_EXCEEDED,
        "X509_V_ERR_PATH_LENGTH_EXCEEDED",
        "path length constraint exceeded",
    ),
    (
        X509_V_ERR_INVALID_PURPOSE,
        "X509_V_ERR_INVALID_PURPOSE",
        "unsuitable certificate purpose",
    ),
    (
        X509_V_ERR_CERT_UNTRUSTED,
        "X509_V_ERR_CERT_UNTRUSTED",
        "certificate not trusted",
    ),
    (
        X509_V_ERR_CERT_REJECTED,
        "X509_V_ERR_CERT_REJECTED",
        "certificate rejected",
    ),
    (
        X509_V_ERR_SUBJECT_ISSUER_MISMATCH,
        "X509_V_ERR_SUBJECT_ISSUER_MISMATCH",
        "subject issuer mismatch",
    ),
    (
        X509_V_ERR_AKID_SKID_MISMATCH,
        "X509_V_ERR_AKID_SKID_MISMATCH",
        "authority and subject key identifier mismatch",
    ),
    (
        X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH,
        "X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH",
        "authority and issuer serial number mismatch",
    ),
    (
        X509_V_ERR_KEYUSAGE_NO_CERTSIGN,
        "X509_V_ERR_KEYUSAGE_NO_CERTSIGN",
        "key usage does not include certificate signing",
    ),
    (
        X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER,
        "X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER",
        "unable to get CRL issuer certificate",
    ),
    (
        X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION,
        "X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION",
        "unhandled critical extension",
    ),
    (
        X509_V_ERR_KEYUSAGE_NO_CRL_SIGN,
        "X509_V_ERR_KEYUSAGE_NO_CRL_SIGN",
        "key usage does not include CRL signing",
    ),
    (
        X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION,
        "X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION",
        "unhandled critical CRL extension",
    ),
    (
        X509_V_ERR_INVALID_NON_CA,
        "X509_V_ERR_INVALID_NON_CA",
        "invalid non-CA certificate (has CA markings)",
    ),
    (
        X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED,
        "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED",
        "proxy path length constraint exceeded",
    ),
    (
        X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE,
        "X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE",
        "key usage does not include digital signature",
    ),
    (
        X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED,
        "X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED",
        "proxy certificates not allowed, please set the appropriate flag",
    ),
    (
        X509_V_ERR_INVALID_EXTENSION,
        "X509_V_ERR_INVALID_EXTENSION",
        "invalid or inconsistent certificate extension",
    ),
    (
        X509_V_ERR_INVALID_POLICY_EXTENSION,
        "X509_V_ERR_INVALID_POLICY_EXTENSION",
        "invalid or inconsistent certificate policy extension",
    ),
    (
        X509_V_ERR_NO_EXPLICIT_POLICY,
        "X509_V_ERR_NO_EXPLICIT_POLICY",
        "no explicit policy",
    ),
    (
        X509_V_ERR_DIFFERENT_CRL_SCOPE,
        "X509_V_ERR_DIFFERENT_CRL_SCOPE",
        "different CRL scope",
    ),
    (
        X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE,
        "X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE",
        "unsupported extension feature",
    ),
    (
        X509_V_ERR_UNNESTED_RESOURCE,
        "X509_V_ERR_UNNESTED_RESOURCE",
        "RFC 3779 resource not subset of parent's resources",
    ),
    (
        X509_V_ERR_PERMITTED_VIOLATION,
        "X509_V_ERR_PERMITTED_VIOLATION",
        "permitted subtree violation",
    ),
    (
        X509_V_ERR_EXCLUDED_VIOLATION,
        "X509_V_ERR_EXCLUDED_VIOLATION",
        "excluded subtree violation",
    ),
    (
        X509_V_ERR_SUBTREE_MINMAX,
        "X509_V_ERR_SUBTREE_MINMAX",
        "name constraints minimum and maximum not supported",
    ),
    (
        X509_V_ERR_APPLICATION_VERIFICATION,
        "X509_V_ERR_APPLICATION_VERIFICATION",
        "application verification failure",
    ),
    (
        X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE,
        "X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE",
        "unsupported name constraint type",
    ),
    (
        X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX,
        "X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX",
        "unsupported or invalid name constraint syntax",
    ),
    (
        X509_V_ERR_UNSUPPORTED_NAME_SYNTAX,
        "X509_V_ERR_UNSUPPORTED_NAME_SYNTAX",
        "unsupported or invalid name syntax",
    ),
    (
        X509_V_ERR_CRL_PATH_VALIDATION_ERROR,
        "X509_V_ERR_CRL_PATH_VALIDATION_ERROR",
        "CRL path validation error",
    ),
    (X509_V_ERR_PATH_LOOP, "X509_V_ERR_PATH_LOOP", "path loop"),
    (
        X509_V_ERR_SUITE_B_INVALID_VERSION,
        "X509_V_ERR_SUITE_B_INVALID_VERSION",
        "Suite B: certificate version invalid",
    ),
    (
        X509_V_ERR_SUITE_B_INVALID_ALGORITHM,
        "X509_V_ERR_SUITE_B_INVALID_ALGORITHM",
        "Suite B: invalid public key algorithm",
    ),
    (
        X509_V_ERR_SUITE_B_INVALID_CURVE,
        "X509_V_ERR_SUITE_B_INVALID_CURVE",
        "Suite B: invalid ECC curve",
    ),
    (
        X509_V_ERR_SUITE_B_INVALID_SIGNATURE_ALGORITHM,
        "X509_V_ERR_SUITE_B_INVALID_SIGNATURE_ALGORITHM",
        "Suite B: invalid signature algorithm",
    ),
    (
        X509_V_ERR_SUITE_B_LOS_NOT_ALLOWED,
        "X509_V_ERR_SUITE_B_LOS_NOT_ALLOWED",
        "Suite B: curve not allowed for this LOS",
    ),
    (
        X509_V_ERR_SUITE_B_CANNOT_SIGN_P_384_WITH_P_256,
        "X509_V_ERR_SUITE_B_CANNOT_SIGN_P_384_WITH_P_256",
        "Suite B: cannot sign P-384 with P-256",
    ),
    (
        X509_V_ERR_HOSTNAME_MISMATCH,
        "X509_V_ERR_HOSTNAME_MISMATCH",
        "hostname mismatch",
    ),
    (
        X509_V_ERR_EMAIL_MISMATCH,
        "X509_V_ERR_EMAIL_MISMATCH",
        "email address mismatch",
    ),
    (
        X509_V_ERR_IP_ADDRESS_MISMATCH,
        "X509_V_ERR_IP_ADDRESS_MISMATCH",
        "IP address mismatch",
    ),
    (
        X509_V_ERR_DANE_NO_MATCH,
        "X509_V_ERR_DANE_NO_MATCH",
        "no matching DANE TLSA records",
    ),
    (
        X509_V_ERR_EE_KEY_TOO_SMALL,
        "X509_V_ERR_EE_KEY_TOO_SMALL",
        "EE certificate key too weak",
    ),
    (
        X509_V_ERR_CA_KEY_TOO_SMALL,
        "X509_V_ERR_CA_KEY_TOO_SMALL",
        "CA certificate key too weak",
    ),
    (
        X509_V_ERR_CA_MD_TOO_WEAK,
        "X509_V_ERR_CA_MD_TOO_WEAK",
        "CA signature digest algorithm too weak",
    ),
    (
        X509_V_ERR_INVALID_CALL,
        "X509_V_ERR_INVALID_CALL",
        "invalid certificate verification context",
    ),
    (
        X509_V_ERR_STORE_LOOKUP,
        "X509_V_ERR_STORE_LOOKUP",
        "issuer certificate lookup error",
    ),
    (
        X509_V_ERR_NO_VALID_SCTS,
        "X509_V_ERR_NO_VALID_SCTS",
        "Certificate Transparency required, but no valid SCTs found",
    ),
    (
        X509_V_ERR_PROXY_SUBJECT_NAME_VIOLATION,
        "X509_V_ERR_PROXY_SUBJECT_NAME_VIOLATION",
        "proxy subject name violation",
    ),
    (
        X509_V_ERR_OCSP_VERIFY_NEEDED,
        "X509_V_ERR_OCSP_VERIFY_NEEDED",
        "OCSP verification needed",
    ),
    (
        X509_V_ERR_OCSP_VERIFY_FAILED,
        "X509_V_ERR_OCSP_VERIFY_FAILED",
        "OCSP verification failed",
    ),
    (
        X509_V_ERR_OCSP_CERT_UNKNOWN,
        "X509_V_ERR_OCSP_CERT_UNKNOWN",
        "OCSP unknown cert",
    ),
    (
        X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM,
        "X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM",
        "Cannot find certificate signature algorithm",
    ),
    (
        X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH,
        "X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH",
        "subject signature algorithm and issuer public key algorithm mismatch",
    ),
    (
        X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY,
        "X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY",
        "cert info signature and signature algorithm mismatch",
    ),
    (
        X509_V_ERR_INVALID_CA,
        "X509_V_ERR_INVALID_CA",
        "invalid CA certificate",
    ),
    (
        X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA,
        "X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA",
        "Path length invalid for non-CA cert",
    ),
    (
        X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN,
        "X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN",
        "Path length given without key usage keyCertSign",
    ),
    (
        X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA,
        "X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA",
        "Key usage keyCertSign invalid for non-CA cert",
    ),
    (
        X509_V_ERR_ISSUER_NAME_EMPTY,
        "X509_V_ERR_ISSUER_NAME_EMPTY",
        "Issuer name empty",
    ),
    (
        X509_V_ERR_SUBJECT_NAME_EMPTY,
        "X509_V_ERR_SUBJECT_NAME_EMPTY",
        "Subject name empty",
    ),
    (
        X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER,
        "X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER",
        "Missing Authority Key Identifier",
    ),
    (
        X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER,
        "X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER",
        "Missing Subject Key Identifier",
    ),
    (
        X509_V_ERR_EMPTY_SUBJECT_ALT_NAME,
        "X509_V_ERR_EMPTY_SUBJECT_ALT_NAME",
        "Empty Subject Alternative Name extension",
    ),
    (
        X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL,
        "X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL",
        "Subject empty and Subject Alt Name extension not critical",
    ),
    (
        X509_V_ERR_CA_BCONS_NOT_CRITICAL,
        "X509_V_ERR_CA_BCONS_NOT_CRITICAL",
        "Basic Constraints of CA cert not marked critical",
    ),
    (
        X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL,
        "X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL",
        "Authority Key Identifier marked critical",
    ),
    (
        X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL,
        "X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL",
        "Subject Key Identifier marked critical",
    ),
    (
        X509_V_ERR_CA_CERT_MISSING_KEY_USAGE,
        "X509_V_ERR_CA_CERT_MISSING_KEY_USAGE",
        "CA cert does not include key usage extension",
    ),
    (
        X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3,
        "X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3",
        "Using cert extension requires at least X509v3",
    ),
    (
        X509_V_ERR_EC_KEY_EXPLICIT_PARAMS,
        "X509_V_ERR_EC_KEY_EXPLICIT_PARAMS",
        "Certificate public key has explicit ECC parameters",
    ),
];

/// OpenSSL's text for verify result `code` (`X509_verify_cert_error_string`).
pub fn verify_message(code: i64) -> Option<&'static str> {
    X509_V_CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, text)| *text)
}

/// The verify result whose OpenSSL text is `text`.
pub fn verify_code(text: &str) -> Option<i64> {
    X509_V_CODES
        .iter()
        .find(|(_, _, t)| *t == text)
        .map(|(c, _, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_and_texts() {
        assert_eq!(X509_V_CODES.len(), 95);
        assert!(X509_V_CODES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(
            verify_message(X509_V_ERR_HOSTNAME_MISMATCH),
            Some("hostname mismatch")
        );
        assert_eq!(
            verify_code("self-signed certificate"),
            Some(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
        );
        assert_eq!(verify_message(9999), None);
    }
}
