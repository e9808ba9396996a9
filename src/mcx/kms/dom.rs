//! A small element tree read with quick-xml's namespace-aware reader: elements with their
//! resolved namespace, attributes and text. Bounded: depth, element count and document size
//! are limited, so a hostile document cannot make the reader allocate without limit.

use super::{KmsError, Reason};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Deepest nesting accepted (a KMS response nests 5 levels; extensions a few more).
pub const MAX_DEPTH: usize = 32;
/// Most elements accepted in one document.
pub const MAX_ELEMENTS: usize = 4096;
/// Largest document accepted, in octets.
pub const MAX_DOCUMENT: usize = 1 << 20;

/// One element.
#[derive(Clone, Debug, Default)]
pub struct Element {
    /// Namespace URI, if bound.
    pub ns: Option<String>,
    /// Local name.
    pub name: String,
    /// Attributes: namespace URI (if bound), local name, value.
    pub attrs: Vec<(Option<String>, String, String)>,
    /// The text content (character data and references, concatenated).
    pub text: String,
    /// Child elements, in order.
    pub children: Vec<Element>,
}

fn xml_err(at: &str, e: impl core::fmt::Display) -> KmsError {
    KmsError::new(at, Reason::Xml(e.to_string()))
}

fn ns_of(r: ResolveResult<'_>) -> Option<String> {
    match r {
        ResolveResult::Bound(ns) => Some(ns.as_ref().to_string()),
        _ => None,
    }
}

fn open(reader: &NsReader<&[u8]>, e: &BytesStart<'_>) -> Result<Element, KmsError> {
    let (ns, local) = reader.resolver().resolve_element(e.name());
    let name = local.as_ref().to_string();
    let mut el = Element {
        ns: ns_of(ns),
        name,
        ..Element::default()
    };
    for a in e.attributes() {
        let a = a.map_err(|x| xml_err(&el.name, x))?;
        if a.key.as_namespace_binding().is_some() {
            continue;
        }
        let (ns, local) = reader.resolver().resolve_attribute(a.key);
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|x| xml_err(&el.name, x))?;
        el.attrs
            .push((ns_of(ns), local.as_ref().to_string(), value.into_owned()));
    }
    Ok(el)
}

fn reference(name: &str, at: &str) -> Result<char, KmsError> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let n = name.strip_prefix('#').ok_or_else(|| {
                KmsError::new(at, Reason::Xml(format!("unknown entity &{name};")))
            })?;
            let v = match n.strip_prefix('x') {
                Some(h) => u32::from_str_radix(h, 16),
                None => n.parse(),
            };
            v.ok()
                .and_then(char::from_u32)
                .ok_or_else(|| KmsError::new(at, Reason::Xml(format!("bad reference &{name};"))))?
        }
    };
    Ok(c)
}

/// Reads the root element of `xml`.
pub fn parse(xml: &str) -> Result<Element, KmsError> {
    if xml.len() > MAX_DOCUMENT {
        return Err(KmsError::new("document", Reason::TooLarge));
    }
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
    loop {
        let at = stack
            .last()
            .map_or("document", |e| e.name.as_str())
            .to_string();
        let ev = reader.read_event().map_err(|e| xml_err(&at, e))?;
        match ev {
            Event::Start(_) | Event::Empty(_) if stack.len() >= MAX_DEPTH => {
                return Err(KmsError::new(&at, Reason::TooLarge));
            }
            Event::Start(e) => {
                count += 1;
                stack.push(open(&reader, &e)?);
            }
            Event::Empty(e) => {
                count += 1;
                let el = open(&reader, &e)?;
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| xml_err(&at, "unbalanced end tag"))?;
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let c = reference(name, &at)?;
                if let Some(el) = stack.last_mut() {
                    el.text.push(c);
                }
            }
            Event::Eof => return Err(KmsError::new(&at, Reason::Xml("unexpected end".into()))),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
        if count > MAX_ELEMENTS {
            return Err(KmsError::new("document", Reason::TooLarge));
        }
    }
}

impl Element {
    /// The children in namespace `ns` named `name`.
    pub fn all<'e>(&'e self, ns: &'e str, name: &'e str) -> impl Iterator<Item = &'e Element> + 'e {
        self.children
            .iter()
            .filter(move |c| c.ns.as_deref() == Some(ns) && c.name == name)
    }

    /// The attribute `name` in namespace `ns` (`None`: no namespace).
    pub fn attr(&self, ns: Option<&str>, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, l, _)| n.as_deref() == ns && l == name)
            .map(|(_, _, v)| v.as_str())
    }
}
