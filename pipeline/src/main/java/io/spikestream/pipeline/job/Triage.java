package io.spikestream.pipeline.job;

import org.apache.flink.metrics.Counter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Sends undecodable records to the dead letters (counted) and passes good packets on. */
public class Triage extends ProcessFunction<SensorEvents, SensorEvents> {
    private static final long serialVersionUID = 1L;
    private transient Counter undecodable;
    private transient Counter deadLettered;

    @Override
    public void open(OpenContext ctx) {
        undecodable = getRuntimeContext().getMetricGroup().counter("recordsUndecodable");
        deadLettered = getRuntimeContext().getMetricGroup().counter("deadLettered");
    }

    @Override
    public void processElement(SensorEvents e, Context ctx, Collector<SensorEvents> out) {
        if (e.problem != null) {
            undecodable.inc();
            deadLettered.inc();
            ctx.output(FramingOperator.DEAD_LETTERS,
                    new DeadLetterRecord(e.source, e.partition, e.offset, e.problem, e.raw, System.currentTimeMillis()));
        } else {
            out.collect(e);
        }
    }
}
