//! The package's allocator (wasm only): blocks of power-of-two sizes, one free list per size,
//! carved from pages the module's memory grows by, never returned to the browser. The feed
//! allocates few sizes (strings, its deliveries, a few vectors), so size classes waste little,
//! and this is about 300 bytes of wasm where the standard library's dlmalloc is 8 KB (a sixth
//! of the module). Single-threaded: wasm32 without the atomics feature has one thread.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr::null_mut;

const PAGE: usize = 65_536;
/// Class `k` holds blocks of `2^k` bytes (k ≥ 3); 2^31 bytes is more than wasm32 can hold.
const CLASSES: usize = 32;

pub struct SizeClasses {
    /// The first free block of each class (0: none); a free block holds the next one's address.
    free: UnsafeCell<[usize; CLASSES]>,
    /// The unused rest of the last pages grown: `next..end`.
    next: UnsafeCell<usize>,
    end: UnsafeCell<usize>,
}

// SAFETY: wasm32-unknown-unknown without the atomics feature runs one thread.
unsafe impl Sync for SizeClasses {}

#[global_allocator]
static ALLOCATOR: SizeClasses =
    SizeClasses { free: UnsafeCell::new([0; CLASSES]), next: UnsafeCell::new(0), end: UnsafeCell::new(0) };

/// The class of `layout`: the smallest `k` with `2^k ≥ max(size, align, 8)`.
fn class(layout: Layout) -> usize {
    let size = layout.size().max(layout.align()).max(8);
    (usize::BITS - (size - 1).leading_zeros()) as usize
}

impl SizeClasses {
    /// A new block of `2^k` bytes from the current pages (aligned to its size, up to a page),
    /// growing the memory when they are used up.
    unsafe fn carve(&self, k: usize) -> *mut u8 {
        let size = 1usize << k;
        let align = size.min(PAGE);
        let (next, end) = (&mut *self.next.get(), &mut *self.end.get());
        loop {
            let p = (*next + align - 1) & !(align - 1);
            if *next != 0 && p.checked_add(size).is_some_and(|e| e <= *end) {
                *next = p + size;
                return p as *mut u8;
            }
            let pages = size.div_ceil(PAGE) + 1;
            let prev = core::arch::wasm32::memory_grow(0, pages);
            if prev == usize::MAX {
                return null_mut();
            }
            let start = prev * PAGE;
            if start != *end {
                *next = start;
            }
            *end = start + pages * PAGE;
        }
    }
}

unsafe impl GlobalAlloc for SizeClasses {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let k = class(layout);
        if k >= CLASSES || layout.align() > PAGE {
            return null_mut();
        }
        let free = &mut *self.free.get();
        let head = free[k];
        if head != 0 {
            free[k] = *(head as *const usize);
            return head as *mut u8;
        }
        self.carve(k)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let k = class(layout);
        let free = &mut *self.free.get();
        *(ptr as *mut usize) = free[k];
        free[k] = ptr as usize;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        if class(new) == class(layout) {
            return ptr;
        }
        let out = self.alloc(new);
        if !out.is_null() {
            std::ptr::copy_nonoverlapping(ptr, out, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        out
    }
}
