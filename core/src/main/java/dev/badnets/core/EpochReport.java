package dev.badnets.core;

/**
 * One epoch of training: its number (from 1), mean training loss, training accuracy (of the
 * predictions made during the epoch, before each batch's update) and wall-clock seconds.
 */
public record EpochReport(int epoch, double loss, double accuracy, double seconds) {
}
