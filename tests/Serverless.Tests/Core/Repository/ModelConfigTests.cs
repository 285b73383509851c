using System.Text;
using Serverless.Core.Batching;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Tests.Core.Repository;

/// <summary>config.json as operators write it: the generated reader must accept what the reflection-based one did.</summary>
public sealed class ModelConfigTests
{
    [Fact]
    public void Parse_CommentsTrailingCommasAndAnyCase_ReadsEveryKey()
    {
        var json = """
            {
              // operators annotate their configs
              "Max_Batch_Size": 8,
              "execution_provider": "cpu",
              "intra_op_threads": 2,
              "warmup": true,
              "gpu": { "device_id": 1, "io_binding": true },
              "dynamic_batching": { "max_queue_delay_us": 500, "preferred_batch_sizes": [4, 8], },
              "pricing": { "per_call": 0.001 },
              "unknown_later_feature": { "x": 1 },
            }
            """u8;

        var config = ModelConfig.Parse("m", json);

        Assert.Equal(8, config.MaxBatchSize);
        Assert.Equal("cpu", config.ExecutionProvider);
        Assert.Equal(2, config.IntraOpThreads);
        Assert.True(config.Warmup);
        Assert.Equal(1, config.Gpu!.DeviceId);
        Assert.True(config.Gpu.IoBinding);
        Assert.Equal(500, config.DynamicBatching!.MaxQueueDelayUs);
        Assert.Equal([4, 8], config.DynamicBatching.PreferredBatchSizes);
        Assert.True(config.DynamicBatching.Enabled);
        Assert.Equal(0.001, config.Pricing!.Value.GetProperty("per_call").GetDouble());
    }

    [Theory]
    [InlineData("\"delay\"", QueueTimeoutAction.Delay)]
    [InlineData("\"DELAY\"", QueueTimeoutAction.Delay)]
    [InlineData("\"Reject\"", QueueTimeoutAction.Reject)]
    public void Parse_TimeoutAction_ReadsTritonsNamesInAnyCase(string value, QueueTimeoutAction expected)
    {
        var config = ModelConfig.Parse("m", Encoding.UTF8.GetBytes($$$"""{"dynamic_batching": {"timeout_action": {{{value}}}}}"""));

        Assert.Equal(expected, config.DynamicBatching!.TimeoutAction);
    }

    [Fact]
    public void Parse_TimeoutActionAbsent_IsReject()
    {
        Assert.Equal(QueueTimeoutAction.Reject, ModelConfig.Parse("m", """{"dynamic_batching": {}}"""u8).DynamicBatching!.TimeoutAction);
    }

    [Theory]
    [InlineData("\"drop\"", "'drop'")]
    [InlineData("1", "number")]
    [InlineData("\"reject, delay\"", "'reject, delay'")]
    public void Parse_TimeoutActionNotRejectOrDelay_FailsTheLoadNamingTheField(string value, string told)
    {
        var error = Assert.Throws<ModelLoadException>(() => ModelConfig.Parse("m", Encoding.UTF8.GetBytes($$$"""{"dynamic_batching": {"timeout_action": {{{value}}}}}""")));

        Assert.Equal(503, error.StatusCode);
        Assert.Contains("model 'm': config.json is not valid", error.Message);
        Assert.Contains($"dynamic_batching.timeout_action is {told}; it must be reject or delay", error.Message);
    }

    [Fact]
    public void Parse_NotJson_ThrowsModelLoadExceptionNamingTheModel()
    {
        var error = Assert.Throws<ModelLoadException>(() => ModelConfig.Parse("m", "{ max_batch_size: }"u8));

        Assert.Contains("model 'm': config.json is not valid", error.Message);
    }

    [Fact]
    public void Parse_Null_IsTheDefault()
    {
        Assert.Same(ModelConfig.Default, ModelConfig.Parse("m", "null"u8));
    }

    [Theory]
    [InlineData("""{"max_batch_size": 2147483647}""", "max_batch_size is 2147483647; it must be between 0 and 65536")]
    [InlineData("""{"max_batch_size": -5}""", "max_batch_size is -5; it must be between 0 and 65536")]
    [InlineData("""{"intra_op_threads": -1}""", "intra_op_threads is -1; it must be between 0 and 256")]
    [InlineData("""{"inter_op_threads": 100000}""", "inter_op_threads is 100000; it must be between 0 and 256")]
    [InlineData("""{"dynamic_batching": {"instance_count": 100000}}""", "dynamic_batching.instance_count is 100000; it must be between 1 and 64")]
    [InlineData("""{"dynamic_batching": {"instance_count": 0}}""", "dynamic_batching.instance_count is 0")]
    [InlineData("""{"dynamic_batching": {"max_batch_size": 2147483647}}""", "dynamic_batching.max_batch_size is 2147483647")]
    [InlineData("""{"dynamic_batching": {"max_queue_size": 2147483647}}""", "dynamic_batching.max_queue_size is 2147483647; it must be between 1 and 100000")]
    [InlineData("""{"dynamic_batching": {"max_queue_size": 0}}""", "dynamic_batching.max_queue_size is 0")]
    [InlineData("""{"dynamic_batching": {"max_queue_delay_us": -1}}""", "dynamic_batching.max_queue_delay_us is -1")]
    [InlineData("""{"dynamic_batching": {"default_timeout_us": -1}}""", "dynamic_batching.default_timeout_us is -1")]
    [InlineData("""{"dynamic_batching": {"preferred_batch_sizes": [0, -1]}}""", "dynamic_batching.preferred_batch_sizes entry is 0")]
    [InlineData("""{"max_batch_size": "64"}""", "config.json is not valid")]
    [InlineData("""{"dynamic_batching": {"max_queue_size": "64"}}""", "config.json is not valid")]
    public void Parse_ValueOutsideItsRange_FailsTheLoadNamingTheField(string json, string told)
    {
        var error = Assert.Throws<ModelLoadException>(() => ModelConfig.Parse("m", Encoding.UTF8.GetBytes(json)));

        Assert.Equal(503, error.StatusCode);
        Assert.Contains("model 'm': config.json", error.Message);
        Assert.Contains(told, error.Message);
    }

    [Fact]
    public void Parse_ValuesAtTheEdgesOfTheirRanges_Load()
    {
        var config = ModelConfig.Parse("m", """
            {"max_batch_size": 65536, "intra_op_threads": 256, "dynamic_batching": {"instance_count": 64, "max_queue_size": 100000,
             "preferred_batch_sizes": [1, 65536], "max_queue_delay_us": 10000000, "default_timeout_us": 2147483647}}
            """u8);

        Assert.Equal(64, config.DynamicBatching!.InstanceCount);
    }
}
