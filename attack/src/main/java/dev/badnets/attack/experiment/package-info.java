/**
 * Experiments as library code, usable without the command line: the attack x defense matrix
 * ({@link dev.badnets.attack.experiment.Matrix}: one trained model per attack and seed, every
 * defense applied to it, cells that resume and shard), its attacks and defenses
 * ({@link dev.badnets.attack.experiment.MatrixAttack}, {@link dev.badnets.attack.experiment.MatrixDefense}),
 * BackdoorBench's metrics per cell ({@link dev.badnets.attack.experiment.CellMetrics}: C-Acc, ASR,
 * R-Acc, DER), and its outputs ({@link dev.badnets.attack.experiment.MatrixCsv},
 * {@link dev.badnets.attack.experiment.MatrixTable}).
 */
package dev.badnets.attack.experiment;
