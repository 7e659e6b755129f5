/**
 * Internal: not API; may change without notice. The Vector API kernels, the reusable matrix
 * product and the worker threads behind {@link dev.badnets.core.backend.SimdBackend}. The classes
 * are public only because that backend lives in another package; use {@code SimdBackend} (or
 * {@link dev.badnets.core.backend.Backends#create}) instead. This package is left out of the
 * published Javadoc, and a future module descriptor will not export it.
 */
package dev.badnets.core.backend.simd;
