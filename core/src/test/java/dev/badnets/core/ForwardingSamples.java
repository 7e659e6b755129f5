package dev.badnets.core;

/**
 * Samples that pass every call on to other samples, for a test to override one call (to record
 * reads, say, or to give other labels). Not one of core's own samples, so a trainer gathers them
 * on its own thread, in batch order.
 */
class ForwardingSamples implements Samples {

    private final Samples data;

    ForwardingSamples(Samples data) {
        this.data = data;
    }

    @Override
    public int size() {
        return data.size();
    }

    @Override
    public int inputWidth() {
        return data.inputWidth();
    }

    @Override
    public Shape inputShape() {
        return data.inputShape();
    }

    @Override
    public int classes() {
        return data.classes();
    }

    @Override
    public int label(int index) {
        return data.label(index);
    }

    @Override
    public void copyInput(int index, float[] dst, int offset) {
        data.copyInput(index, dst, offset);
    }
}
