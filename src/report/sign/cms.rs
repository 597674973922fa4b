//! The CMS `SignedData` of a PAdES signature: detached, SHA-256, signed attributes
//! content-type, message-digest and signing-certificate-v2 (no signing-time: in PAdES the
//! signature dictionary's `/M` carries the time).

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use super::keys::{self, Credentials, Hash, PublicKey};

/// `id-data`.
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// `id-signedData`.
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// The content-type attribute.
const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// The message-digest attribute.
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// The signing-certificate-v2 attribute (RFC 5035), which PAdES requires.
const SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// `IssuerSerial` of RFC 5035.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// `ESSCertIDv2` of RFC 5035; the hash algorithm is SHA-256 when absent.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificateV2` of RFC 5035 (no policies).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, der::Error> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value])?,
    })
}

fn sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: keys::SHA256,
        parameters: None,
    }
}

/// The DER `ContentInfo` of a detached signature by `signer` over data whose SHA-256
/// digest is `digest`.
pub fn build(signer: &Credentials, digest: &[u8]) -> Result<Vec<u8>, String> {
    let e = |e: der::Error| e.to_string();
    let cert = &signer.cert;
    let tbs = &cert.tbs_certificate;
    let cert_hash = Hash::Sha256.digest(&cert.to_der().map_err(e)?);
    let signing_certificate = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(cert_hash).map_err(e)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                serial_number: tbs.serial_number.clone(),
            }),
        }],
    };
    let attrs = SetOfVec::try_from(vec![
        attribute(CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(e)?).map_err(e)?,
        attribute(
            MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest).map_err(e)?).map_err(e)?,
        )
        .map_err(e)?,
        attribute(
            SIGNING_CERTIFICATE_V2,
            Any::encode_from(&signing_certificate).map_err(e)?,
        )
        .map_err(e)?,
    ])
    .map_err(e)?;
    let signature = signer.key.sign(&attrs.to_der().map_err(e)?)?;
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        }),
        digest_alg: sha256(),
        signed_attrs: Some(attrs),
        signature_algorithm: signer.key.signature_algorithm(),
        signature: OctetString::new(signature).map_err(e)?,
        unsigned_attrs: None,
    };
    let certificates: Vec<CertificateChoices> = std::iter::once(cert)
        .chain(&signer.chain)
        .cloned()
        .map(CertificateChoices::Certificate)
        .collect();
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256()]).map_err(e)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certificates).map_err(e)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![info]).map_err(e)?),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(e)?,
    }
    .to_der()
    .map_err(e)
}

/// What a valid CMS signature says.
pub struct Checked {
    /// The signer's certificate.
    pub signer: Certificate,
    /// The other certificates the signature carries.
    pub others: Vec<Certificate>,
}

/// The value of the one attribute `oid` among `attrs`.
fn one<'a>(attrs: &'a [Attribute], oid: ObjectIdentifier, name: &str) -> Result<&'a Any, String> {
    let found: Vec<&Attribute> = attrs.iter().filter(|a| a.oid == oid).collect();
    match found.as_slice() {
        [a] => match a.values.as_slice() {
            [value] => Ok(value),
            _ => Err(format!("the {name} attribute must have one value")),
        },
        [] => Err(format!("the signature has no {name} attribute")),
        _ => Err(format!("the signature has more than one {name}")),
    }
}

/// Checks the DER `ContentInfo` `der` as a detached signature over `data` (the bytes the
/// byte range covers, in order): the digest, the signer's certificate reference and the
/// signature.
pub fn check(der: &[u8], data: &[&[u8]]) -> Result<Checked, String> {
    let info = ContentInfo::from_der(der)
        .map_err(|e| format!("the signature value is not a CMS structure: {e}"))?;
    if info.content_type != ID_SIGNED_DATA {
        return Err("the signature value is not CMS SignedData".to_owned());
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|e| format!("the CMS SignedData cannot be read: {e}"))?;
    if signed.encap_content_info.econtent.is_some() {
        return Err("the CMS signature is not detached".to_owned());
    }
    let [signer_info] = signed.signer_infos.0.as_slice() else {
        return Err("the CMS signature must have exactly one signer".to_owned());
    };
    let certs: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|s| s.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let SignerIdentifier::IssuerAndSerialNumber(id) = &signer_info.sid else {
        return Err("the signer is named by key identifier, not issuer and serial".to_owned());
    };
    let signer = certs
        .iter()
        .find(|c| {
            c.tbs_certificate.issuer == id.issuer
                && c.tbs_certificate.serial_number == id.serial_number
        })
        .cloned()
        .ok_or("the signer's certificate is not in the signature")?;
    let hash = Hash::of_digest(&signer_info.digest_alg.oid).ok_or_else(|| {
        format!(
            "the digest algorithm {} is not supported",
            signer_info.digest_alg.oid
        )
    })?;
    // The SignedData's list of digest algorithms is not signed, but it must name the
    // signer's (RFC 5652, 5.1): a list naming another is a damaged or altered signature.
    if !signed
        .digest_algorithms
        .iter()
        .any(|a| a.oid == signer_info.digest_alg.oid)
    {
        return Err(
            "the signature's digest algorithms do not include the signer's (altered?)".to_owned(),
        );
    }
    let attrs = signer_info
        .signed_attrs
        .as_ref()
        .ok_or("the signature has no signed attributes (PAdES requires them)")?;
    let content_type: ObjectIdentifier = one(attrs.as_slice(), CONTENT_TYPE, "content-type")?
        .decode_as()
        .map_err(|e| e.to_string())?;
    if content_type != ID_DATA {
        return Err("the signed content type is not id-data".to_owned());
    }
    let digest: OctetString = one(attrs.as_slice(), MESSAGE_DIGEST, "message-digest")?
        .decode_as()
        .map_err(|e| e.to_string())?;
    let mut all = Vec::new();
    for part in data {
        all.extend_from_slice(part);
    }
    if digest.as_bytes() != hash.digest(&all) {
        return Err(
            "the signed digest is not that of the document's bytes: the document was changed after signing, or the signature belongs to another document".to_owned(),
        );
    }
    let certified: SigningCertificateV2 = one(
        attrs.as_slice(),
        SIGNING_CERTIFICATE_V2,
        "signing-certificate-v2",
    )?
    .decode_as()
    .map_err(|e| e.to_string())?;
    let cert_der = signer.to_der().map_err(|e| e.to_string())?;
    let names_signer = certified.certs.first().is_some_and(|id| {
        let hash = match &id.hash_algorithm {
            None => Some(Hash::Sha256),
            Some(a) => Hash::of_digest(&a.oid),
        };
        hash.is_some_and(|h| h.digest(&cert_der) == id.cert_hash.as_bytes())
    });
    if !names_signer {
        return Err("the signing-certificate-v2 attribute names another certificate".to_owned());
    }
    let key = PublicKey::of(&signer)?;
    let message = attrs.to_der().map_err(|e| e.to_string())?;
    let signature = signer_info.signature.as_bytes();
    let oid = signer_info.signature_algorithm.oid;
    let valid = if oid == keys::RSA {
        key.verify_digest(hash, &hash.digest(&message), signature)
    } else {
        key.verify(&oid, &message, signature)
    };
    if !valid {
        return Err(
            "the signature value does not match the signed attributes and the signer's key"
                .to_owned(),
        );
    }
    let others = certs.into_iter().filter(|c| c != &signer).collect();
    Ok(Checked { signer, others })
}

/// The length of the DER value at the start of `bytes` (tag, length and contents), when
/// it can be read.
pub fn der_len(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.get(1)?;
    if first < 0x80 {
        return Some(2 + first as usize);
    }
    let n = (first & 0x7f) as usize;
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for i in 0..n {
        len = (len << 8) | *bytes.get(2 + i)? as usize;
    }
    Some(2 + n + len)
}
