//! The signer's key and certificates: PKCS#8 (or PKCS#1, SEC1) PEM with a PEM or DER
//! certificate, or a PKCS#12 file whose password comes from a file or the environment.

use std::path::{Path, PathBuf};

use der::{Decode, Encode};
use rsa::traits::PublicKeyParts;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use spki::ObjectIdentifier;
use x509_cert::Certificate;

use super::SignError;

/// `rsaEncryption`.
pub const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `sha256WithRSAEncryption`.
const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption`.
const RSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption`.
const RSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
/// `id-ecPublicKey`.
const EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `ecdsa-with-SHA256`.
pub const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// `ecdsa-with-SHA384`.
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// `ecdsa-with-SHA512`.
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
/// The curve P-256 (`prime256v1`).
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// The curve P-384 (`secp384r1`).
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// SHA-256.
pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// SHA-384.
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
/// SHA-512.
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// The smallest RSA key accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// A digest algorithm that signatures are checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// The digest algorithm named by `oid` (a digest, not a signature algorithm).
    pub fn of_digest(oid: &ObjectIdentifier) -> Option<Hash> {
        match *oid {
            SHA256 => Some(Hash::Sha256),
            SHA384 => Some(Hash::Sha384),
            SHA512 => Some(Hash::Sha512),
            _ => None,
        }
    }

    /// The digest of `bytes`.
    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => Sha256::digest(bytes).to_vec(),
            Hash::Sha384 => Sha384::digest(bytes).to_vec(),
            Hash::Sha512 => Sha512::digest(bytes).to_vec(),
        }
    }
}

/// A private key that signs.
pub enum PrivateKey {
    /// RSA, signing with PKCS#1 v1.5 (deterministic).
    Rsa(Box<rsa::RsaPrivateKey>),
    /// ECDSA on P-256, with RFC 6979 deterministic nonces.
    P256(p256::ecdsa::SigningKey),
    /// ECDSA on P-384, with RFC 6979 deterministic nonces.
    P384(p384::ecdsa::SigningKey),
}

/// A public key that checks signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA.
    Rsa(rsa::RsaPublicKey),
    /// ECDSA on P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA on P-384.
    P384(p384::ecdsa::VerifyingKey),
}

impl PrivateKey {
    /// The key of a PKCS#8 `PrivateKeyInfo`.
    fn from_pkcs8(der: &[u8]) -> Result<PrivateKey, String> {
        use pkcs8::DecodePrivateKey;
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|e| e.to_string())?;
        let oid = info.algorithm.oid;
        if oid == RSA {
            return rsa::RsaPrivateKey::from_pkcs8_der(der)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(|e| e.to_string());
        }
        if oid != EC {
            return Err(format!(
                "the key algorithm {oid} is not supported (RSA, ECDSA P-256 or P-384)"
            ));
        }
        let curve = info
            .algorithm
            .parameters_oid()
            .map_err(|_| "an EC key without a named curve".to_owned())?;
        match curve {
            P256 => p256::ecdsa::SigningKey::from_pkcs8_der(der)
                .map(PrivateKey::P256)
                .map_err(|e| e.to_string()),
            P384 => p384::ecdsa::SigningKey::from_pkcs8_der(der)
                .map(PrivateKey::P384)
                .map_err(|e| e.to_string()),
            other => Err(format!(
                "the curve {other} is not supported (P-256 or P-384)"
            )),
        }
    }

    /// The key in a PEM file: PKCS#8, or the older PKCS#1 (RSA) and SEC1 (EC) forms.
    fn from_pem(text: &str) -> Result<PrivateKey, String> {
        let (label, der) = pem_block(text, &["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"])
            .ok_or_else(|| {
                if text.contains("ENCRYPTED PRIVATE KEY") {
                    "an encrypted PEM key; give the key as PKCS#12 (`openssl pkcs12 -export`) with `--password-file`, or unencrypted".to_owned()
                } else {
                    "no `-----BEGIN PRIVATE KEY-----` block".to_owned()
                }
            })?;
        match label.as_str() {
            "RSA PRIVATE KEY" => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                rsa::RsaPrivateKey::from_pkcs1_der(&der)
                    .map(|k| PrivateKey::Rsa(Box::new(k)))
                    .map_err(|e| e.to_string())
            }
            "EC PRIVATE KEY" => {
                if let Ok(k) = p256::SecretKey::from_sec1_der(&der) {
                    Ok(PrivateKey::P256(k.into()))
                } else if let Ok(k) = p384::SecretKey::from_sec1_der(&der) {
                    Ok(PrivateKey::P384(k.into()))
                } else {
                    Err("an EC key on a curve other than P-256 or P-384".to_owned())
                }
            }
            _ => PrivateKey::from_pkcs8(&der),
        }
    }

    /// Its public half.
    pub fn public(&self) -> PublicKey {
        match self {
            PrivateKey::Rsa(k) => PublicKey::Rsa(k.to_public_key()),
            PrivateKey::P256(k) => PublicKey::P256(*k.verifying_key()),
            PrivateKey::P384(k) => PublicKey::P384(*k.verifying_key()),
        }
    }

    /// The signature algorithm written in the CMS `SignerInfo`.
    pub fn signature_algorithm(&self) -> spki::AlgorithmIdentifierOwned {
        match self {
            PrivateKey::Rsa(_) => spki::AlgorithmIdentifierOwned {
                oid: RSA,
                parameters: Some(der::asn1::Null.into()),
            },
            PrivateKey::P256(_) | PrivateKey::P384(_) => spki::AlgorithmIdentifierOwned {
                oid: ECDSA_SHA256,
                parameters: None,
            },
        }
    }

    /// Signs the SHA-256 digest of `message`: the same key and message give the same bytes.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        use ecdsa::signature::hazmat::PrehashSigner;
        use rsa::signature::{SignatureEncoding, Signer};
        let digest = Sha256::digest(message);
        match self {
            PrivateKey::Rsa(k) => {
                let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone());
                signer
                    .try_sign(message)
                    .map(|s| s.to_vec())
                    .map_err(|e| e.to_string())
            }
            PrivateKey::P256(k) => {
                let s: p256::ecdsa::Signature =
                    k.sign_prehash(&digest).map_err(|e| e.to_string())?;
                Ok(s.to_der().as_bytes().to_vec())
            }
            PrivateKey::P384(k) => {
                let s: p384::ecdsa::Signature =
                    k.sign_prehash(&digest).map_err(|e| e.to_string())?;
                Ok(s.to_der().as_bytes().to_vec())
            }
        }
    }
}

impl PublicKey {
    /// The key of a certificate.
    pub fn of(cert: &Certificate) -> Result<PublicKey, String> {
        use spki::DecodePublicKey;
        let spki = &cert.tbs_certificate.subject_public_key_info;
        let der = spki.to_der().map_err(|e| e.to_string())?;
        match spki.algorithm.oid {
            RSA => rsa::RsaPublicKey::from_public_key_der(&der)
                .map(PublicKey::Rsa)
                .map_err(|e| e.to_string()),
            EC => match spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            {
                Some(P256) => p256::ecdsa::VerifyingKey::from_public_key_der(&der)
                    .map(PublicKey::P256)
                    .map_err(|e| e.to_string()),
                Some(P384) => p384::ecdsa::VerifyingKey::from_public_key_der(&der)
                    .map(PublicKey::P384)
                    .map_err(|e| e.to_string()),
                _ => Err("an EC key on a curve other than P-256 or P-384".to_owned()),
            },
            other => Err(format!("the key algorithm {other} is not supported")),
        }
    }

    /// A short description: `RSA 2048` or `ECDSA P-256`.
    pub fn describe(&self) -> String {
        match self {
            PublicKey::Rsa(k) => format!("RSA {}", k.size() * 8),
            PublicKey::P256(_) => "ECDSA P-256".to_owned(),
            PublicKey::P384(_) => "ECDSA P-384".to_owned(),
        }
    }

    /// Whether `signature` is this key's over the digest `hashed` (made with `hash`).
    pub fn verify_digest(&self, hash: Hash, hashed: &[u8], signature: &[u8]) -> bool {
        use ecdsa::signature::hazmat::PrehashVerifier;
        match self {
            PublicKey::Rsa(k) => {
                let scheme = match hash {
                    Hash::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                    Hash::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                    Hash::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
                };
                k.verify(scheme, hashed, signature).is_ok()
            }
            PublicKey::P256(k) => p256::ecdsa::Signature::from_der(signature)
                .is_ok_and(|s| k.verify_prehash(hashed, &s).is_ok()),
            PublicKey::P384(k) => p384::ecdsa::Signature::from_der(signature)
                .is_ok_and(|s| k.verify_prehash(hashed, &s).is_ok()),
        }
    }

    /// Whether `signature` is this key's over `message` with the X.509 signature
    /// algorithm `algorithm` (`sha256WithRSAEncryption`, `ecdsa-with-SHA384`, …).
    pub fn verify(&self, algorithm: &ObjectIdentifier, message: &[u8], signature: &[u8]) -> bool {
        let hash = match (*algorithm, self) {
            (RSA_SHA256, PublicKey::Rsa(_))
            | (ECDSA_SHA256, PublicKey::P256(_) | PublicKey::P384(_)) => Hash::Sha256,
            (RSA_SHA384, PublicKey::Rsa(_))
            | (ECDSA_SHA384, PublicKey::P256(_) | PublicKey::P384(_)) => Hash::Sha384,
            (RSA_SHA512, PublicKey::Rsa(_))
            | (ECDSA_SHA512, PublicKey::P256(_) | PublicKey::P384(_)) => Hash::Sha512,
            _ => return false,
        };
        self.verify_digest(hash, &hash.digest(message), signature)
    }
}

/// Whether `cert` was signed by the key of `issuer`.
pub fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let (Ok(key), Ok(tbs)) = (PublicKey::of(issuer), cert.tbs_certificate.to_der()) else {
        return false;
    };
    let Some(signature) = cert.signature.as_bytes() else {
        return false;
    };
    key.verify(&cert.signature_algorithm.oid, &tbs, signature)
}

/// Where the password of a PKCS#12 file comes from: never the command line, where other
/// users see it.
#[derive(Debug, Clone)]
pub enum Password {
    /// The first line of this file.
    File(PathBuf),
    /// This environment variable.
    Env(String),
}

impl Password {
    fn read(&self) -> Result<String, SignError> {
        match self {
            Password::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| SignError::Read {
                    path: path.clone(),
                    source,
                })?;
                Ok(text.lines().next().unwrap_or("").to_owned())
            }
            Password::Env(var) => {
                std::env::var(var).map_err(|_| SignError::NoPasswordVar { var: var.clone() })
            }
        }
    }
}

/// The signer: a key, its certificate and the certificates that lead to a CA.
pub struct Credentials {
    /// The private key.
    pub key: PrivateKey,
    /// The signer's certificate, whose public key is the key's.
    pub cert: Certificate,
    /// Intermediate (and root) certificates, put in the signature for the reader's
    /// validation.
    pub chain: Vec<Certificate>,
}

/// Where the signer's key and certificates are.
#[derive(Debug, Clone, Default)]
pub struct KeySource {
    /// A PEM private key or a PKCS#12 file.
    pub key: PathBuf,
    /// The signer's certificate (PEM or DER); for PKCS#12 it is in the file.
    pub cert: Option<PathBuf>,
    /// More certificates for the chain (PEM files, each with one or more).
    pub chain: Vec<PathBuf>,
    /// The PKCS#12 password's source.
    pub password: Option<Password>,
}

fn read(path: &Path) -> Result<Vec<u8>, SignError> {
    std::fs::read(path).map_err(|source| SignError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The labelled blocks of a PEM text, in order.
fn pem_blocks(text: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let Some(label_end) = block[11..].find("-----") else {
            break;
        };
        let label = block[11..11 + label_end].to_owned();
        let end_marker = format!("-----END {label}-----");
        let Some(end) = block.find(&end_marker) else {
            break;
        };
        let whole = &block[..end + end_marker.len()];
        if let Ok((_, der)) = pem_rfc7468_decode(whole) {
            out.push((label, der));
        }
        rest = &block[end + end_marker.len()..];
    }
    out
}

fn pem_rfc7468_decode(block: &str) -> Result<(String, Vec<u8>), der::Error> {
    let (label, der) = der::pem::decode_vec(block.as_bytes()).map_err(der::Error::from)?;
    Ok((label.to_owned(), der))
}

fn pem_block(text: &str, labels: &[&str]) -> Option<(String, Vec<u8>)> {
    pem_blocks(text)
        .into_iter()
        .find(|(l, _)| labels.contains(&l.as_str()))
}

/// The certificates of a PEM or DER file, in file order.
fn certificates(path: &Path) -> Result<Vec<Certificate>, SignError> {
    let bytes = read(path)?;
    let bad = |reason: String| SignError::Certificate {
        path: path.to_path_buf(),
        reason,
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) if text.contains("-----BEGIN ") => {
            let certs: Vec<Certificate> = pem_blocks(text)
                .into_iter()
                .filter(|(l, _)| l == "CERTIFICATE")
                .map(|(_, der)| Certificate::from_der(&der).map_err(|e| bad(e.to_string())))
                .collect::<Result<_, _>>()?;
            if certs.is_empty() {
                return Err(bad("no `-----BEGIN CERTIFICATE-----` block".to_owned()));
            }
            Ok(certs)
        }
        _ => Ok(vec![
            Certificate::from_der(&bytes).map_err(|e| bad(e.to_string()))?,
        ]),
    }
}

/// Reads a PEM list of trusted CA certificates (`verify --trust`).
pub fn trusted(path: &Path) -> Result<Vec<Certificate>, SignError> {
    certificates(path)
}

impl KeySource {
    /// Reads the key and the certificates, checking that the key is strong enough and is
    /// the certificate's.
    pub fn load(&self) -> Result<Credentials, SignError> {
        let bytes = read(&self.key)?;
        let pem = std::str::from_utf8(&bytes)
            .ok()
            .filter(|t| t.contains("-----BEGIN "));
        let (key, mut certs) = match pem {
            Some(text) => {
                let key = PrivateKey::from_pem(text).map_err(|reason| SignError::Key {
                    path: self.key.clone(),
                    reason,
                })?;
                // A PEM file may hold the certificate after the key.
                let certs: Vec<Certificate> = pem_blocks(text)
                    .into_iter()
                    .filter(|(l, _)| l == "CERTIFICATE")
                    .filter_map(|(_, der)| Certificate::from_der(&der).ok())
                    .collect();
                (key, certs)
            }
            None => self.pkcs12(&bytes)?,
        };
        if let Some(cert) = &self.cert {
            // The named certificate comes first: it is the signer's.
            let mut named = certificates(cert)?;
            named.append(&mut certs);
            certs = named;
        }
        let Some(cert) = certs.first().cloned() else {
            return Err(SignError::NoCertificate {
                key: self.key.clone(),
            });
        };
        let mut chain: Vec<Certificate> = certs.into_iter().skip(1).collect();
        for path in &self.chain {
            chain.extend(certificates(path)?);
        }
        // The same certificate given twice (in the PKCS#12 and with `--chain`) once.
        let mut seen = Vec::new();
        chain.retain(|c| {
            let der = c.to_der().unwrap_or_default();
            let new = !seen.contains(&der) && c != &cert;
            seen.push(der);
            new
        });
        let public = key.public();
        if let PublicKey::Rsa(k) = &public
            && k.size() * 8 < MIN_RSA_BITS
        {
            return Err(SignError::WeakKey {
                path: self.key.clone(),
                bits: k.size() * 8,
            });
        }
        if PublicKey::of(&cert).ok().as_ref() != Some(&public) {
            return Err(SignError::KeyMismatch {
                key: self.key.clone(),
                cert: self.cert.clone().unwrap_or_else(|| self.key.clone()),
                subject: cert.tbs_certificate.subject.to_string(),
            });
        }
        Ok(Credentials { key, cert, chain })
    }

    /// The key and the certificates (signer's first) of a PKCS#12 file.
    fn pkcs12(&self, bytes: &[u8]) -> Result<(PrivateKey, Vec<Certificate>), SignError> {
        let password = self
            .password
            .as_ref()
            .ok_or_else(|| SignError::NoPassword {
                path: self.key.clone(),
            })?
            .read()?;
        let store = p12_keystore::KeyStore::from_pkcs12(bytes, &password).map_err(|e| {
            use p12_keystore::error::Error as E;
            match e {
                E::MacError(_) | E::UnpadError => SignError::WrongPassword {
                    path: self.key.clone(),
                },
                e => SignError::Key {
                    path: self.key.clone(),
                    reason: format!("not a readable PKCS#12 file: {e}"),
                },
            }
        })?;
        let Some((_, chain)) = store.private_key_chain() else {
            return Err(SignError::Key {
                path: self.key.clone(),
                reason: "a PKCS#12 file without a private key and its certificate".to_owned(),
            });
        };
        let key = PrivateKey::from_pkcs8(chain.key()).map_err(|reason| SignError::Key {
            path: self.key.clone(),
            reason,
        })?;
        let certs = chain
            .chain()
            .iter()
            .map(|c| Certificate::from_der(c.as_der()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SignError::Key {
                path: self.key.clone(),
                reason: format!("a certificate in the PKCS#12 file cannot be read: {e}"),
            })?;
        Ok((key, certs))
    }
}
