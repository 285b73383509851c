using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Tests.Core.Repository;

public sealed class ModelNameTests
{
    [Theory]
    [InlineData("01")]
    [InlineData("+1")]
    [InlineData("0")]
    public void ParseVersion_NonCanonicalVersion_IsNotFound(string version)
    {
        var error = Assert.Throws<ModelNotFoundException>(() => ModelName.ParseVersion("m", version));

        Assert.Contains($"'{version}'", error.Message);
    }

    [Fact]
    public void ParseVersion_CanonicalVersion_Parses()
    {
        Assert.Equal(12, ModelName.ParseVersion("m", "12"));
    }
}
