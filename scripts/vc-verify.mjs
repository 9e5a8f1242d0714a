// vc-verify.mjs: the independent judge of dxhub's credentials in the test
// suite. It verifies with other people's libraries, installed by the test
// command from npm into a temporary folder (this file is copied there to
// run): @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite and
// vc-bitstring-status-list for Data Integrity, jose for VC-JWT.
//
// Input on stdin, JSON:
//   {"credential": {...} | "eyJ...", "documents": {"<url or id>": {...}}, "jwk": {...}}
// documents answer the document loader (contexts, the did:web document
// and its verification method, status list credentials); nothing is
// fetched. Output on stdout, JSON: {"verified": bool, "revoked": bool,
// "error": "..."}.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as jose from 'jose';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const docs = input.documents || {};

const documentLoader = async url => {
  const document = docs[url];
  if(!document) {
    throw new Error(`document not given to the verifier: ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document};
};

function out(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

function errorText(e) {
  if(!e) {
    return '';
  }
  if(Array.isArray(e)) {
    return e.map(errorText).join('; ');
  }
  const inner = e.errors ? ' (' + errorText(e.errors) + ')' : '';
  return (e.message || String(e)) + inner;
}

try {
  if(typeof input.credential === 'string') {
    const key = await jose.importJWK(input.jwk, 'EdDSA');
    const {payload, protectedHeader} = await jose.jwtVerify(input.credential, key, {algorithms: ['EdDSA']});
    const ok = protectedHeader.kid === input.jwk.kid && payload.vc && payload.jti === payload.vc.id;
    out({verified: Boolean(ok), revoked: false, error: ok ? '' : 'claims do not match the credential'});
  } else {
    const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
    const result = await vc.verifyCredential({
      credential: input.credential, suite, documentLoader,
      checkStatus: options => checkStatus({...options, verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true})
    });
    const status = result.statusResult || {};
    const revoked = Boolean(status.verified && status.results &&
      status.results.some(r => r.status === true && r.credentialStatus && r.credentialStatus.statusPurpose === 'revocation'));
    const proofOK = Boolean(result.results && result.results.every(r => r.verified));
    out({verified: proofOK && status.verified !== false, revoked, error: errorText(result.error) || errorText(status.error)});
  }
} catch(e) {
  out({verified: false, revoked: false, error: errorText(e)});
}
