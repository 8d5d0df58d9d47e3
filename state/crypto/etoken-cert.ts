// The certificates of the hardware USB eTokens the pre-10.0 CTL Client used (SAST records of seeds
// 002/004), issued by a stand-in for the Cisco Manufacturing CA, a Windows enterprise CA.
//
// Seed facts: issuer "cn=Cisco Manufacturing CA;o=Cisco Systems" and subject
// 'cn="SAST-ADN008580ef        ";ou=IPCBU;o="Cisco Systems' (the CTL Client prints the RDNs in
// reverse DER order and quotes the CN for its trailing blanks), 10-byte serials like
// 83E9080000005545AF31, PUBLICKEY 140 (a 1024-bit key), CERTIFICATE 902 for both tokens.
//
// Byte budget (1024-bit CA key, SHA-1): Certificate header 4 + TBSCertificate 751 + signatureAlgorithm
// 15 + signature BIT STRING 132 = 902. TBSCertificate: header 4 + version 5 + serial 12 + algorithm 15
// + issuer 59 + validity 32 + subject 77 + SPKI 162 + extensions 385 ([3] and SEQUENCE headers 8, and
// 377 of extensions). The extensions are those a Windows Server 2003 enterprise CA writes from a
// version-2 template (a copy of Smartcard User: the token is a USB smart card), in its order:
//   certificateTemplate (template OID, v100.3) 56, extKeyUsage (clientAuth, emailProtection,
//   smartcardLogon) 43, keyUsage critical (digitalSignature, keyEncipherment) 16, applicationPolicies
//   (the same three) 55, subjectKeyIdentifier 31, authorityKeyIdentifier (key id) 33,
//   cRLDistributionPoints (http cmca.crl) 65, authorityInfoAccess (caIssuers http cmca.cer) 78 = 377.
// Serials keep the top bit clear (a sign byte would make one token 903 bytes); validity stays in
// UTCTime (before 2050) so the length holds for any lab clock.
import { createHash, createPublicKey, createSign, KeyObject } from 'node:crypto';
import * as der from './der.js';
import { encodeName, extension, keyUsageBits, OID, spkiKeyBits } from './x509.js';

const EXT = {
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  cRLDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
  certificateTemplate: '1.3.6.1.4.1.311.21.7',
  applicationPolicies: '1.3.6.1.4.1.311.21.10',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  smartcardLogon: '1.3.6.1.4.1.311.20.2.2',
};

const MFG_CA_CRL = 'http://www.cisco.com/security/pki/crl/cmca.crl';
const MFG_CA_CERT_URL = 'http://www.cisco.com/security/pki/certs/cmca.cer';

/** Issuer name in DER order (O, CN), as "cn=Cisco Manufacturing CA;o=Cisco Systems" reverses it. */
const MFG_CA_NAME = [
  { short: 'O', value: 'Cisco Systems' },
  { short: 'CN', value: 'Cisco Manufacturing CA' },
];

/** The blanks the token CN carries after its label. */
export const ETOKEN_CN_PAD = ' '.repeat(8);

const DAY_MS = 86_400_000;
// the last second UTCTime can hold
const UTC_TIME_END = Date.UTC(2049, 11, 31, 23, 59, 59);

/** A Windows CA serial: three bytes, 00 00 00, four bytes (83E90800 0000 5545AF31); top bit clear. */
export function mfgSerial(seed: Buffer): Buffer {
  return Buffer.from([seed[0] & 0x7f || 0x41, seed[1], seed[2], 0, 0, 0, seed[3], seed[4], seed[5], seed[6]]);
}

function sha1WithRsa(): Buffer {
  return der.seq(der.oid(OID.sha1WithRSA), der.nullValue());
}

function spkiOf(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' }) as Buffer;
}

function keyId(key: KeyObject): Buffer {
  return createHash('sha1').update(spkiKeyBits(spkiOf(key))).digest();
}

function signed(tbs: Buffer, signer: KeyObject): Buffer {
  const alg = sha1WithRsa();
  return der.seq(tbs, alg, der.bits(createSign('sha1').update(tbs).sign(signer)));
}

function tbsCertificate(serial: Buffer, issuer: Buffer, from: number, to: number, subject: Buffer, key: KeyObject, exts: Buffer[]): Buffer {
  return der.seq(
    der.explicit(0, der.smallInt(2)),
    der.unsignedInt(serial),
    sha1WithRsa(),
    issuer,
    der.seq(der.time(new Date(from)), der.time(new Date(to))),
    subject,
    spkiOf(key),
    der.explicit(3, der.seq(...exts)),
  );
}

/** The stand-in Cisco Manufacturing CA certificate (self-signed here; it is never put in a CTL). */
export function issueMfgCaDer(caKey: KeyObject, serial: Buffer, atMs: number): Buffer {
  const name = encodeName(MFG_CA_NAME);
  const from = Math.floor(atMs / 1000) * 1000 - 10 * 365 * DAY_MS;
  const to = Math.min(from + 25 * 365 * DAY_MS, UTC_TIME_END);
  const exts = [
    extension(OID.keyUsage, keyUsageBits(['digitalSignature', 'keyCertSign', 'cRLSign'])),
    extension(EXT.basicConstraints, der.seq(der.tlv(der.Tag.BOOLEAN, Buffer.from([0xff]))), true),
    extension(OID.subjectKeyIdentifier, der.octets(keyId(caKey))),
  ];
  return signed(tbsCertificate(mfgSerial(serial), name, from, to, name, caKey, exts), caKey);
}

/** [6] uniformResourceIdentifier */
const uri = (s: string) => der.tlv(0x86, Buffer.from(s, 'ascii'));

// A version-2 template (a copy of Smartcard User) has a forest-unique OID: 1.3.6.1.4.1.311.21.8, six
// forest arcs, two template arcs
const TEMPLATE_OID = '1.3.6.1.4.1.311.21.8.8723014.1290361.1354921.2418355.762014.113.1524.3017';
const TOKEN_EKU = [OID.clientAuth, EXT.emailProtection, EXT.smartcardLogon];

/** The token extensions in a Windows CA's order (see the byte budget above). */
function tokenExtensions(key: KeyObject, caKey: KeyObject): Buffer[] {
  return [
    // CertificateTemplate { templateID, major 100, minor 3 }
    extension(EXT.certificateTemplate, der.seq(der.oid(TEMPLATE_OID), der.smallInt(100), der.smallInt(3))),
    extension(OID.extKeyUsage, der.seq(...TOKEN_EKU.map((o) => der.oid(o)))),
    extension(OID.keyUsage, keyUsageBits(['digitalSignature', 'keyEncipherment']), true),
    // application policies: the EKU again, each as a PolicyInformation
    extension(EXT.applicationPolicies, der.seq(...TOKEN_EKU.map((o) => der.seq(der.oid(o))))),
    extension(OID.subjectKeyIdentifier, der.octets(keyId(key))),
    extension(EXT.authorityKeyIdentifier, der.seq(der.tlv(0x80, keyId(caKey)))),
    // DistributionPoint { distributionPoint [0] { fullName [0] { URI } } }
    extension(EXT.cRLDistributionPoints, der.seq(der.seq(der.explicit(0, der.tlv(0xa0, uri(MFG_CA_CRL)))))),
    extension(EXT.authorityInfoAccess, der.seq(der.seq(der.oid(EXT.caIssuers), uri(MFG_CA_CERT_URL)))),
  ];
}

/**
 * A token certificate: subject O=Cisco Systems, OU=IPCBU, CN=<label + 8 blanks>; issued three years
 * before `atMs`, valid ten years and ten minutes (a Windows CA backdates by ten minutes).
 */
export function issueEtokenDer(label: string, key: KeyObject, serial: Buffer, caKey: KeyObject, atMs: number): Buffer {
  const subject = encodeName([
    { short: 'O', value: 'Cisco Systems' },
    { short: 'OU', value: 'IPCBU' },
    { short: 'CN', value: label + ETOKEN_CN_PAD },
  ]);
  const issued = Math.floor(atMs / 1000) * 1000 - 3 * 365 * DAY_MS;
  const from = issued - 10 * 60_000;
  const end = new Date(issued);
  end.setUTCFullYear(end.getUTCFullYear() + 10);
  const to = Math.min(end.getTime(), UTC_TIME_END);
  const tbs = tbsCertificate(mfgSerial(serial), encodeName(MFG_CA_NAME), from, to, subject, key, tokenExtensions(key, caKey));
  return signed(tbs, caKey);
}
