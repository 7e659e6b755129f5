/**
 * The fast backend, {@link dev.badnets.core.backend.simd.SimdBackend}: Vector API kernels, the
 * matrix products built on them and the worker threads that split them. Only the backend is
 * public; everything else here is package-private (create it through
 * {@link dev.badnets.core.backend.Backends#create}).
 */
package dev.badnets.core.backend.simd;
