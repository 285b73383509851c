using System.Text;
using Serverless.Core.Batching;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Tests.Core.Repository;

/// <summary>config.json as operators write it: the generated reader must accept what the reflection-based one did.</summary>
public sealed class ModelConfigTests
{
    [Fact]
    public void Parse_CommentsTrailingCommasAnyCaseAndQuotedNumbers_ReadsEveryKey()
    {
        var json = """
            {
              // operators annotate their configs
              "Max_Batch_Size": "8",
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
}
