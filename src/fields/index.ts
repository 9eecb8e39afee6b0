/** Loads every field definition into the registry. */
import './frame.js';
import './ip.js';
import './tcp.js';
import './analysis.js';
import './http.js';
import './tls.js';
import './encap.js';
export { lookupField, allFields, similarFields, type FieldDef, type FieldValue, type FieldType } from './registry.js';
