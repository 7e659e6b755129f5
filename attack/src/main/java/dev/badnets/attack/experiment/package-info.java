/**
 * Grids of backdoor experiments as code can run them: the machinery under {@code badnets sweep}
 * (and any other attack x defense grid), usable without the command line.
 *
 * <ul>
 *   <li>{@link dev.badnets.attack.experiment.Grid}: axes ({@link dev.badnets.attack.experiment.Grid.Axis},
 *       yours) and their values; the grid is their product, points numbered from 1 in row-major
 *       order. {@link dev.badnets.attack.experiment.Shard}: the K-th of N parts.</li>
 *   <li>{@link dev.badnets.attack.experiment.GridKeys}: a point's {@code config} key (hash its
 *       settings) and the {@code grid} key (hash of every config key in order).</li>
 *   <li>{@link dev.badnets.attack.experiment.GridCsv}: the long-form CSV, bounded reading, atomic
 *       writing, cells no spreadsheet evaluates. {@link dev.badnets.attack.experiment.GridTable}:
 *       resume from an earlier CSV, add each finished point's row and rewrite.
 *       {@link dev.badnets.attack.experiment.GridMerge}: the shards' CSVs as one table.</li>
 *   <li>{@link dev.badnets.attack.experiment.Parallel}: points several at a time.
 *       {@link dev.badnets.attack.experiment.ResultCells}: an experiment's figures as CSV cells.</li>
 *   <li>{@link dev.badnets.attack.experiment.Matrix}: BackdoorBench's attack x defense table, one
 *       trained model per attack and seed and every defense applied to it, each cell stored as it
 *       ends (resume), sharded with {@code Shard}, run with {@code Parallel}; its attacks and defenses
 *       ({@link dev.badnets.attack.experiment.MatrixAttack},
 *       {@link dev.badnets.attack.experiment.MatrixDefense}), the metrics of a cell
 *       ({@link dev.badnets.attack.experiment.CellMetrics}: C-Acc, ASR, R-Acc, DER) and its outputs
 *       ({@link dev.badnets.attack.experiment.MatrixCsv}, {@link dev.badnets.attack.experiment.MatrixTable}).</li>
 * </ul>
 *
 * <p>A grid run: build a {@code Grid}, hash each point's settings into its config key, make a
 * {@code GridTable} over the CSV, {@code resume} it (the points still to run come back), run them
 * with {@code Parallel.forEach}, and {@code put} each point's figures as it ends. Messages of the
 * {@code IllegalArgumentException}s thrown for bad input name the problem, then the fix after "; ".
 */
package dev.badnets.attack.experiment;
