using Serverless.Core.Batching;
using Serverless.Core.Inference;
using Serverless.Core.Repository;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Core.Batching;

public sealed class BatchDimensionTests
{
    private static readonly ModelKey Key = new("m", 1);

    [Fact]
    public void LeadsEveryTensor_DynamicFirstDimensionEverywhere_IsTrue()
    {
        using var session = new FakeSession(Key);

        Assert.True(BatchDimension.LeadsEveryTensor(session));
    }

    [Fact]
    public void LeadsEveryTensor_FixedFirstDimensionOnAnInput_IsFalse()
    {
        using var session = new FakeSession(Key) { Inputs = [new("x", TensorDataType.FP32, [2, -1])] };

        Assert.False(BatchDimension.LeadsEveryTensor(session));
    }

    [Fact]
    public void LeadsEveryTensor_ScalarOutput_IsFalse()
    {
        using var session = new FakeSession(Key) { Outputs = [new("y", TensorDataType.FP32, [])] };

        Assert.False(BatchDimension.LeadsEveryTensor(session));
    }
}
