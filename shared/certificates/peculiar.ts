/**
 * @peculiar/x509, ready to use: its dependency injection (tsyringe) needs the `reflect-metadata`
 * polyfill loaded first, and it signs with Node's WebCrypto. Import @peculiar/x509 through here.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
