//! `SEQUENCE SIZE (1..MAX) OF T` as a type: [`NonEmpty`] (parse, don't validate).

use der::{
    DecodeValue, Encode, EncodeValue, ErrorKind, FixedTag, Header, Length, Reader, Tag, Writer,
};

/// A `SEQUENCE SIZE (1..MAX) OF T`: decoding an empty sequence is an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NonEmpty<T>(Vec<T>);

impl<T> NonEmpty<T> {
    /// Wraps a vector; `None` when it is empty.
    pub fn new(items: Vec<T>) -> Option<Self> {
        if items.is_empty() {
            None
        } else {
            Some(Self(items))
        }
    }

    /// One element.
    pub fn one(item: T) -> Self {
        Self(vec![item])
    }

    /// The elements (never empty).
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The first element.
    pub fn first(&self) -> Option<&T> {
        self.0.first()
    }

    /// Iterates over the elements.
    pub fn iter(&self) -> core::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// Number of elements (at least 1).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false; present for API symmetry with collections.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Unwraps into the vector.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<'a, T> IntoIterator for &'a NonEmpty<T> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, T> DecodeValue<'a> for NonEmpty<T>
where
    T: der::Decode<'a>,
{
    type Error = T::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> Result<Self, Self::Error> {
        let items = Vec::<T>::decode_value(reader, header)?;
        if items.is_empty() {
            return Err(der::Error::from(ErrorKind::Value { tag: Tag::Sequence }).into());
        }
        Ok(Self(items))
    }
}

impl<T: Encode> EncodeValue for NonEmpty<T> {
    fn value_len(&self) -> der::Result<Length> {
        self.0.value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.0.encode_value(writer)
    }
}

impl<T> FixedTag for NonEmpty<T> {
    const TAG: Tag = Tag::Sequence;
}
