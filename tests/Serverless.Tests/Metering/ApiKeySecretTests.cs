using Serverless.Core.Metering;

namespace Serverless.Tests.Metering;

public sealed class ApiKeySecretTests
{
    [Fact]
    public void NewSecret_Always_Has256RandomBitsUrlSafe()
    {
        var secrets = Enumerable.Range(0, 100).Select(_ => ApiKeySecret.NewSecret()).ToList();

        Assert.All(secrets, s => Assert.Matches("^sk_[A-Za-z0-9_-]{43}$", s));
        Assert.Equal(100, secrets.Distinct().Count());
    }

    [Fact]
    public void Hash_SameSecret_IsStableAndNotTheSecret()
    {
        var secret = ApiKeySecret.NewSecret();

        Assert.Equal(ApiKeySecret.Hash(secret), ApiKeySecret.Hash(secret));
        Assert.Matches("^[0-9a-f]{64}$", ApiKeySecret.Hash(secret));
        Assert.DoesNotContain(secret[3..], ApiKeySecret.Hash(secret));
    }
}
