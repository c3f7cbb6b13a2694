// CEB XML messages (domain.md §2.1) → validated records. Pure: text in, records or a coded error
// out. The namespace is checked by URI, not by prefix (a message may use a default namespace or
// another prefix). DOCTYPE is refused outright: the CEB schemas need none, and it is how external
// entity and entity-expansion attacks get in. Errors name the element path, never its text.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ErrorCodes, StationError, type ErrorCode } from '../../shared/errors.ts';
import { validateRecord, type AedRecord, type MessageType } from './records.ts';

export const CEB_NAMESPACE = 'http://www.chinaport.gov.cn/ceb';

/** Root element → its business node, head and goods-line elements. CEB622 has no head: the node is the record. */
const LAYOUT: Record<string, { type: MessageType; node: string; head?: string; list?: string }> = {
  CEB621Message: { type: 'CEB621', node: 'Inventory', head: 'InventoryHead', list: 'InventoryList' },
  CEB311Message: { type: 'CEB311', node: 'Order', head: 'OrderHead', list: 'OrderList' },
  CEB411Message: { type: 'CEB411', node: 'Payment', head: 'PaymentHead' },
  CEB511Message: { type: 'CEB511', node: 'Logistics', head: 'LogisticsHead' },
  CEB622Message: { type: 'CEB622', node: 'InventoryReturn' },
};

export interface ParsedMessage {
  type: MessageType;
  guid: string | undefined;
  records: AedRecord[];
}

/** An element with its namespace resolved. `qname` is the name as written, used in paths. */
interface Element {
  qname: string;
  local: string;
  ns: string | undefined;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false, // decoded below, where an unknown entity is an error instead of passing through
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});

export function invalid(code: ErrorCode, file: string, path: string, reason: string): StationError {
  return new StationError(code, `${file}: ${path}: ${reason}`, { file, path, reason });
}

export function parseCebXml(xml: string, file: string): ParsedMessage {
  const body = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (/<!DOCTYPE/i.test(body) || /<!ENTITY/i.test(body)) {
    throw invalid(ErrorCodes.IMPORT_MALFORMED, file, '/', 'DOCTYPE and entity declarations are not allowed in CEB messages');
  }
  const check = XMLValidator.validate(body);
  if (check !== true) {
    throw invalid(ErrorCodes.IMPORT_MALFORMED, file, `line ${check.err.line}, column ${check.err.col}`, `not well-formed XML (${check.err.code})`);
  }
  let parsed: OrderedNode[];
  try {
    parsed = parser.parse(body) as OrderedNode[];
  } catch (e) {
    // The validator passed but the parser refused (e.g. "Maximum nested tags exceeded"): still a bad file.
    throw invalid(ErrorCodes.IMPORT_MALFORMED, file, '/', `not a readable XML message (${(e as Error).message})`);
  }
  const roots = toElements(parsed, new Map(), file, '');
  if (roots.length !== 1) throw invalid(ErrorCodes.IMPORT_MALFORMED, file, '/', `expected one root element, found ${roots.length}`);
  const root = roots[0]!;
  const rootPath = `/${root.qname}`;
  if (root.ns !== CEB_NAMESPACE) {
    throw invalid(ErrorCodes.IMPORT_WRONG_NAMESPACE, file, rootPath, `root element is in namespace "${root.ns ?? '(none)'}", expected "${CEB_NAMESPACE}"`);
  }
  const layout = LAYOUT[root.local];
  if (!layout) {
    throw invalid(ErrorCodes.IMPORT_UNSUPPORTED, file, rootPath, `message ${root.local} is not imported (supported: ${Object.keys(LAYOUT).join(', ')})`);
  }
  const prefix = root.qname.includes(':') ? `${root.qname.split(':')[0]}:` : '';
  const nodes = root.children.filter((c) => c.ns === CEB_NAMESPACE && c.local === layout.node);
  if (nodes.length === 0) throw invalid(ErrorCodes.IMPORT_INVALID, file, `${rootPath}/${prefix}${layout.node}`, 'the message has no business node');

  const records = nodes.map((node, i) => {
    const nodePath = `${rootPath}/${prefix}${layout.node}[${i + 1}]`;
    let raw: Record<string, unknown>;
    let headPath = nodePath;
    if (layout.head) {
      const heads = node.children.filter((c) => c.ns === CEB_NAMESPACE && c.local === layout.head);
      headPath = `${nodePath}/${prefix}${layout.head}`;
      if (heads.length !== 1) throw invalid(ErrorCodes.IMPORT_INVALID, file, headPath, heads.length === 0 ? 'required element is missing' : 'appears more than once');
      raw = fields(heads[0]!, headPath, prefix, file);
    } else {
      raw = fields(node, nodePath, prefix, file);
    }
    if (layout.list) {
      raw.lines = node.children
        .filter((c) => c.ns === CEB_NAMESPACE && c.local === layout.list)
        .map((line, j) => fields(line, `${nodePath}/${prefix}${layout.list}[${j + 1}]`, prefix, file));
    }
    const result = validateRecord(layout.type, raw);
    if (!result.ok) {
      const [first, second, ...rest] = result.path;
      let path: string;
      if (first === 'lines' && typeof second === 'number') path = `${nodePath}/${prefix}${layout.list}[${second + 1}]${rest.map((p) => `/${prefix}${p}`).join('')}`;
      else if (first === 'lines') path = `${nodePath}/${prefix}${layout.list}`;
      else path = `${headPath}${result.path.map((p) => `/${prefix}${p}`).join('')}`;
      throw invalid(ErrorCodes.IMPORT_INVALID, file, path, result.reason);
    }
    return result.value;
  });
  return { type: layout.type, guid: root.attrs.guid, records };
}

/** The leaf children of an element in the CEB namespace as field → text; empty elements count as absent. */
function fields(el: Element, path: string, prefix: string, file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of el.children) {
    if (c.ns !== CEB_NAMESPACE || c.children.length > 0) continue;
    if (Object.hasOwn(out, c.local)) throw invalid(ErrorCodes.IMPORT_INVALID, file, `${path}/${prefix}${c.local}`, 'appears more than once');
    if (c.text !== '') out[c.local] = c.text;
  }
  return out;
}

/** fast-xml-parser's ordered output → elements with namespaces resolved through the xmlns scopes. */
function toElements(nodes: OrderedNode[], scope: Map<string, string>, file: string, parentPath: string): Element[] {
  const out: Element[] = [];
  for (const node of nodes) {
    const qname = Object.keys(node).find((k) => k !== ':@');
    if (qname === undefined || qname === '#text' || qname === '#comment' || qname === '#cdata' || qname.startsWith('?')) continue;
    const attrs = node[':@'] ?? {};
    let inner = scope;
    for (const [name, value] of Object.entries(attrs)) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (inner === scope) inner = new Map(scope);
        inner.set(name === 'xmlns' ? '' : name.slice(6), value);
      }
    }
    const colon = qname.indexOf(':');
    const local = colon >= 0 ? qname.slice(colon + 1) : qname;
    const ns = inner.get(colon >= 0 ? qname.slice(0, colon) : '');
    const path = `${parentPath}/${qname}`;
    const kids = (node[qname] as OrderedNode[] | undefined) ?? [];
    let text = '';
    for (const k of kids) {
      if (typeof k['#text'] === 'string') text += decodeEntities(k['#text'], file, path);
      else if (Array.isArray(k['#cdata'])) for (const c of k['#cdata'] as OrderedNode[]) text += String(c['#text'] ?? '');
    }
    out.push({ qname, local, ns, attrs, children: toElements(kids, inner, file, path), text: text.trim() });
  }
  return out;
}

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string, file: string, path: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (_m, ref: string) => {
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (cp > 0x10ffff || cp === 0) throw invalid(ErrorCodes.IMPORT_MALFORMED, file, path, 'invalid character reference');
      return String.fromCodePoint(cp);
    }
    const v = NAMED[ref];
    if (v === undefined) throw invalid(ErrorCodes.IMPORT_MALFORMED, file, path, `undefined entity &${ref};`);
    return v;
  });
}
