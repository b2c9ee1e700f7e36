//! A gRPC codec whose responses are protobuf bytes encoded beforehand: the
//! store keeps every article encoded, so a call that answers one article
//! writes those bytes as they are instead of decoding them into an
//! `Article` for tonic to encode again. Requests are decoded as prost
//! decodes them for the generated services (the same errors too).
//!
//! Public so that the lookup benchmark's no-op server answers with the same
//! codec, and so costs the load generator the same decoding as serve.

use std::marker::PhantomData;

use bytes::{BufMut, Bytes};
use tonic::Status;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic_prost::ProstDecoder;

/// A message's protobuf encoding, sent as it is: in one piece, or in
/// several that the frame takes one after the other (a BatchGet answer's
/// articles as the store gives them, never first joined in a buffer of
/// their own: the frame is the one copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded(Pieces);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pieces {
    One(Bytes),
    Many(Vec<Bytes>),
}

impl Encoded {
    /// A message made of `pieces`, in order.
    pub fn from_pieces(pieces: Vec<Bytes>) -> Encoded {
        Encoded(Pieces::Many(pieces))
    }

    /// The message's length in bytes.
    pub fn len(&self) -> usize {
        self.slices().map(<[u8]>::len).sum()
    }

    /// Whether the message is empty (a message with every field unset).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The message's bytes in one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        self.slices().for_each(|piece| out.extend_from_slice(piece));
        out
    }

    fn slices(&self) -> impl Iterator<Item = &[u8]> {
        let pieces = match &self.0 {
            Pieces::One(one) => std::slice::from_ref(one),
            Pieces::Many(many) => many.as_slice(),
        };
        pieces.iter().map(|piece| piece.as_ref())
    }
}

impl From<Vec<u8>> for Encoded {
    fn from(bytes: Vec<u8>) -> Encoded {
        Encoded(Pieces::One(Bytes::from(bytes)))
    }
}

impl From<Bytes> for Encoded {
    fn from(bytes: Bytes) -> Encoded {
        Encoded(Pieces::One(bytes))
    }
}

/// Decodes requests of type `Req` with prost; encodes nothing itself.
#[derive(Debug)]
pub struct EncodedCodec<Req>(PhantomData<fn() -> Req>);

impl<Req> Default for EncodedCodec<Req> {
    fn default() -> Self {
        EncodedCodec(PhantomData)
    }
}

impl<Req: prost::Message + Default + Send + 'static> Codec for EncodedCodec<Req> {
    type Encode = Encoded;
    type Decode = Req;
    type Encoder = Writer;
    type Decoder = Reader<Req>;

    fn encoder(&mut self) -> Writer {
        Writer
    }

    fn decoder(&mut self) -> Reader<Req> {
        Reader(ProstDecoder::default())
    }
}

/// Copies an [`Encoded`] message into the frame: tonic adds the gRPC
/// header (and compresses, when asked) around it as for any message.
#[derive(Debug)]
pub struct Writer;

impl Encoder for Writer {
    type Item = Encoded;
    type Error = Status;

    fn encode(&mut self, item: Encoded, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        // Room for the whole message at once: grown piece by piece, the
        // frame's buffer would be copied each time it doubles.
        dst.reserve(item.len());
        item.slices().for_each(|piece| dst.put_slice(piece));
        Ok(())
    }
}

/// prost's own request decoder, so a bad request gets the status the
/// generated services give it.
#[derive(Debug)]
pub struct Reader<Req>(ProstDecoder<Req>);

impl<Req: prost::Message + Default> Decoder for Reader<Req> {
    type Item = Req;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Req>, Status> {
        self.0.decode(src)
    }

    fn buffer_settings(&self) -> tonic::codec::BufferSettings {
        self.0.buffer_settings()
    }
}
