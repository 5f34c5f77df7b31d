package io.spikestream.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.HashSet;
import java.util.Set;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Savepoints map state to operators by uid: every stateful operator of the job has a fixed one,
 * so a savepoint taken by one version of the job restores into the next (Kafka offsets included).
 */
class OperatorUidTest {
    @Test
    void everyOperatorOfTheKafkaJobHasAFixedUid() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobConfig config = JobConfig.defaults(FramingJobTest.SPEC, null);
        SpikestreamJob.Streams streams = SpikestreamJob.build(
                SpikestreamJob.kafkaInput(env, "127.0.0.1:1", "events", "g", OffsetsInitializer.earliest(), config), config, c -> null);
        streams.windows().sinkTo(new DiscardingSink<>()).uid("windows-sink");
        streams.deadLetters().sinkTo(new DiscardingSink<>()).uid("dead-letter-sink");
        StreamGraph graph = env.getStreamGraph();
        Set<String> uids = new HashSet<>();
        for (StreamNode node : graph.getStreamNodes()) {
            assertNotNull(node.getTransformationUID(), "operator '" + node.getOperatorName() + "' has no uid");
            uids.add(node.getTransformationUID());
        }
        assertEquals(graph.getStreamNodes().size(), uids.size(), "uids are unique: " + uids);
    }

    @Test
    void framingAndTheClassifierShareOneShuffleAndOneChain() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        JobConfig config = JobConfig.defaults(FramingJobTest.SPEC, "model.safetensors");
        SpikestreamJob.Streams streams = SpikestreamJob.build(
                SpikestreamJob.kafkaInput(env, "127.0.0.1:1", "events", "g", OffsetsInitializer.earliest(), config), config, c -> null);
        streams.classifications().sinkTo(new DiscardingSink<>()).uid("classification-sink");
        StreamGraph graph = env.getStreamGraph();
        int keyed = 0;
        StreamNode classifier = null;
        for (StreamNode node : graph.getStreamNodes()) {
            for (var edge : node.getInEdges()) {
                if (edge.getPartitioner() instanceof org.apache.flink.streaming.runtime.partitioner.KeyGroupStreamPartitioner) {
                    keyed++;
                }
            }
            if ("classifier".equals(node.getTransformationUID())) {
                classifier = node;
            }
        }
        assertEquals(1, keyed, "one keyBy from the source to the classifications");
        assertNotNull(classifier);
        var in = classifier.getInEdges().get(0);
        assertEquals("framing", graph.getStreamNode(in.getSourceId()).getTransformationUID());
        assertEquals(org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner.class, in.getPartitioner().getClass(),
                "the classifier reads the framing operator's output in place");
    }
}
