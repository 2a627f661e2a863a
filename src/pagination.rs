//! Lists that page themselves.
//!
//! `build/pagination.rs` gives each paginated operation's builder two methods,
//! `pages()` and `stream()`, built on the types here. Which operations page,
//! and how, is read off the spec's shapes by `cargo xtask regen` and listed in
//! `openapi/NORMALIZATION.md`.
//!
//! A [`Pages`] stream sends one request per page, and only when the caller
//! asks for the next item: nothing is fetched ahead. Each request goes through
//! the client's token and retry handling like any call. The stream ends on the
//! style's own end condition (a page shorter than the page size), and a failed
//! request is a stream item, after the items of the pages before it; the
//! stream ends after it.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::{Error, ResponseValue};

/// Where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cursor {
    /// The number of items to skip (`offset`).
    Offset(i64),
    /// The 1-based number of the page (`pageNumber`).
    Page(i64),
}

type Fetch<'a, P> = Box<dyn FnMut(Cursor) -> PageFuture<'a, P> + Send + 'a>;
type PageFuture<'a, P> = Pin<Box<dyn Future<Output = Result<ResponseValue<P>, Error>> + Send + 'a>>;

/// The pages of a paginated list, each the operation's whole typed answer, as
/// a [`Stream`]. Made by a builder's `pages()`.
pub struct Pages<'a, P> {
    fetch: Fetch<'a, P>,
    /// How many items a page holds.
    count: fn(&P) -> usize,
    /// Items asked for per page: a page with fewer is the last.
    page_size: i64,
    next: Option<Cursor>,
    pending: Option<PageFuture<'a, P>>,
}

impl<'a, P> Pages<'a, P> {
    /// Pages that start at `first` and ask for `page_size` items each; `fetch`
    /// sends the request for one cursor, `count` counts a page's items.
    #[doc(hidden)]
    pub fn new(first: Cursor, page_size: i64, count: fn(&P) -> usize, fetch: Fetch<'a, P>) -> Self {
        Self { fetch, count, page_size: page_size.max(1), next: Some(first), pending: None }
    }

    /// The cursor after a page of `items` items that started at `at`, or
    /// `None` when that page was the last.
    fn after(&self, at: &Cursor, items: usize) -> Option<Cursor> {
        let items = i64::try_from(items).unwrap_or(i64::MAX);
        if items < self.page_size {
            return None;
        }
        Some(match at {
            Cursor::Offset(offset) => Cursor::Offset(offset.saturating_add(items)),
            Cursor::Page(page) => Cursor::Page(page.saturating_add(1)),
        })
    }
}

impl<P> std::fmt::Debug for Pages<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").field("page_size", &self.page_size).field("next", &self.next).finish_non_exhaustive()
    }
}

impl<P> Stream for Pages<'_, P> {
    type Item = Result<ResponseValue<P>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // `Pages` holds only boxed futures and plain values: it is `Unpin`.
        let this = Pin::into_inner(self);
        if this.pending.is_none() {
            match &this.next {
                Some(cursor) => this.pending = Some((this.fetch)(cursor.clone())),
                None => return Poll::Ready(None),
            }
        }
        let Some(pending) = this.pending.as_mut() else { return Poll::Ready(None) };
        let result = std::task::ready!(pending.as_mut().poll(cx));
        this.pending = None;
        let at = this.next.take();
        match result {
            Ok(page) => {
                this.next = at.and_then(|at| this.after(&at, (this.count)(&page)));
                Poll::Ready(Some(Ok(page)))
            }
            // The stream ends after an error: `next` stays `None`.
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }
}

/// Every item of a paginated list, page after page, as a [`Stream`]. Made by
/// a builder's `stream()`.
pub struct Items<'a, P, T> {
    pages: Pages<'a, P>,
    items: fn(P) -> Vec<T>,
    buffered: VecDeque<T>,
}

impl<'a, P, T> Items<'a, P, T> {
    #[doc(hidden)]
    pub fn new(pages: Pages<'a, P>, items: fn(P) -> Vec<T>) -> Self {
        Self { pages, items, buffered: VecDeque::new() }
    }
}

impl<P, T> std::fmt::Debug for Items<'_, P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").field("pages", &self.pages).field("buffered", &self.buffered.len()).finish()
    }
}

impl<P, T> Unpin for Items<'_, P, T> {}

impl<P, T> Stream for Items<'_, P, T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = Pin::into_inner(self);
        loop {
            if let Some(item) = this.buffered.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.buffered.extend((this.items)(page.into_inner())),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}

/// The integer types progenitor gives paging parameters (`i64`, `u64`,
/// `NonZeroU32`, ...), converted to and from the `i64` the streams count in.
#[doc(hidden)]
pub trait PageParam: Sized + Copy {
    /// The value as an `i64` (saturating).
    fn to_i64(self) -> i64;
    /// The parameter for `value`, or why it cannot hold it.
    fn from_i64(value: i64) -> Result<Self, String>;
}

macro_rules! page_param {
    ($($ty:ty),*) => {$(
        impl PageParam for $ty {
            fn to_i64(self) -> i64 {
                i64::try_from(self).unwrap_or(i64::MAX)
            }
            fn from_i64(value: i64) -> Result<Self, String> {
                <$ty>::try_from(value).map_err(|e| format!("paging parameter {value}: {e}"))
            }
        }
    )*};
}
page_param!(i32, i64, u32, u64);

macro_rules! non_zero_page_param {
    ($($ty:ty => $int:ty),*) => {$(
        impl PageParam for $ty {
            fn to_i64(self) -> i64 {
                self.get().to_i64()
            }
            fn from_i64(value: i64) -> Result<Self, String> {
                <$ty>::new(<$int>::from_i64(value)?).ok_or_else(|| format!("paging parameter {value} must not be 0"))
            }
        }
    )*};
}
non_zero_page_param!(std::num::NonZeroU32 => u32, std::num::NonZeroU64 => u64);
