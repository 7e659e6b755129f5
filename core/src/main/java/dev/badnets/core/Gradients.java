package dev.badnets.core;

import org.ejml.data.FMatrixRMaj;

/** {@code dL/dW} and {@code dL/db} of every layer of a network, shaped like its parameters. */
final class Gradients {

    final FMatrixRMaj[] dW;
    final FMatrixRMaj[] db;

    Gradients(Network net) {
        int layers = net.layerCount();
        dW = new FMatrixRMaj[layers];
        db = new FMatrixRMaj[layers];
        for (int l = 0; l < layers; l++) {
            DenseLayer layer = net.layer(l);
            dW[l] = new FMatrixRMaj(layer.inputs(), layer.outputs());
            db[l] = new FMatrixRMaj(1, layer.outputs());
        }
    }
}
