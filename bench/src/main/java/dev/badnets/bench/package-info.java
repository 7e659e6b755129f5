/**
 * JMH benchmarks of training, shaded into {@code bench/target/benchmarks.jar}.
 *
 * <p>Build and run (the forks add {@code --add-modules jdk.incubator.vector} themselves):
 * <pre>
 *   ./mvnw -o -q -pl bench -am install -DskipTests
 *   java -jar bench/target/benchmarks.jar ProductsBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 *   BADNETS_DATA=../shared/datasets/mnist java -jar bench/target/benchmarks.jar TrainingStepBenchmark -p batch=64
 *   java -jar bench/target/benchmarks.jar TrainingStepBenchmark -p hidden=128 -p batch=64 -prof gc
 *   java -jar bench/target/benchmarks.jar EpochBenchmark
 * </pre>
 *
 * <ul>
 *   <li>{@link dev.badnets.bench.ProductsBenchmark}: the three products of a dense layer per
 *       backend; the {@code flops} column is FLOP/s.
 *   <li>{@link dev.badnets.bench.TrainingStepBenchmark}: one step (gather, forward, backward, Adam)
 *       of 784-128-10 and 784-256-128-10 at batch 16, 64, 256; {@code samples} is samples/s.
 *   <li>{@link dev.badnets.bench.EpochBenchmark}: one shuffled epoch of 60,000 samples at batch
 *       64, the unit the speed targets are stated in.
 *   <li>{@link dev.badnets.bench.PredictorBenchmark}: one image through a warm
 *       {@link dev.badnets.core.Predictor} against the raw forward pass at batch 1; microseconds.
 * </ul>
 * The {@code backend} parameter is "ejml" or "simd-T" (SIMD on T threads). Training benchmarks use
 * MNIST when {@code BADNETS_DATA} names a data folder, else synthetic images with MNIST's sparsity.
 * On a machine shared with other work, compare medians of the raw iterations
 * ({@code -rf json}), not means.
 */
package dev.badnets.bench;
