// Tags and record roles of the CUCM trust-list format shared by ITLFile.tlv and CTLFile.tlv.
// Framing: 1-byte tag, 2-byte big-endian length, value; header tag 0x0D is a lone pad byte.

export const HeaderTag = {
  VERSION: 1,
  HEADERLENGTH: 2,
  SIGNERID: 3,
  SIGNERNAME: 4,
  SERIALNUMBER: 5,
  CANAME: 6,
  SIGNATUREINFO: 7,
  DIGESTALGORITHM: 8,
  SIGNATUREALGOINFO: 9,
  SIGNATUREALGORITHM: 10,
  SIGNATUREMODULUS: 11,
  SIGNATURE: 12,
  PADDING: 13,
  FILENAME: 14,
  TIMESTAMP: 15,
} as const;

export const RecordTag = {
  RECORDLENGTH: 1,
  DNSNAME: 2,
  SUBJECTNAME: 3,
  FUNCTION: 4,
  ISSUERNAME: 5,
  SERIALNUMBER: 6,
  PUBLICKEY: 7,
  SIGNATURE: 8,
  CERTIFICATE: 9,
  IPADDRESS: 10,
  CERTHASH: 11,
  HASHALGORITHM: 12,
} as const;

export const Role = {
  SAST: 0,
  CCM: 1,
  CCM_TFTP: 2,
  TFTP: 3,
  CAPF: 4,
  SRST: 5,
  APP_SERVER: 7,
  TVS: 21,
} as const;

export const ROLE_TEXT: Record<number, string> = {
  0: 'System Administrator Security Token',
  1: 'CCM',
  2: 'CCM+TFTP',
  3: 'TFTP',
  4: 'CAPF',
  5: 'SRST',
  7: 'APP-SERVER',
  21: 'TVS',
};
