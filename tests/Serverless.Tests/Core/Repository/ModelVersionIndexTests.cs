using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Errors;
using Serverless.Core.Repository;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Core.Repository;

public sealed class ModelVersionIndexTests
{
    private readonly FakeModelRepository _repository = new();
    private readonly FakeTimeProvider _time = new();

    private ModelVersionIndex CreateIndex(int refreshSeconds = 30) =>
        new(_repository, Options.Create(new ModelsOptions { RefreshIntervalSeconds = refreshSeconds }), _time);

    [Fact]
    public async Task ResolveAsync_NoVersion_ReturnsHighest()
    {
        _repository.Versions["m"] = [2, 10, 9];

        Assert.Equal(10, await CreateIndex().ResolveAsync("m", null));
    }

    [Fact]
    public async Task ResolveAsync_MissingVersion_NamesTheVersionsThatExist()
    {
        _repository.Versions["m"] = [1, 2];

        var error = await Assert.ThrowsAsync<ModelNotFoundException>(() => CreateIndex().ResolveAsync("m", 7));

        Assert.Contains("Request for unknown model: 'm' version 7 is not found", error.Message);
        Assert.Contains("1, 2", error.Message);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData(".hidden")]
    [InlineData("")]
    public async Task ResolveAsync_NameThatCouldLeaveTheRepository_IsNotFound(string name)
    {
        await Assert.ThrowsAsync<ModelNotFoundException>(() => CreateIndex().ResolveAsync(name, null));
    }

    [Fact]
    public async Task ResolveAsync_NewVersion_SeenOnlyAfterRefreshInterval()
    {
        _repository.Versions["m"] = [1];
        var index = CreateIndex(refreshSeconds: 30);
        Assert.Equal(1, await index.ResolveAsync("m", null));

        _repository.Versions["m"].Add(2);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await index.ResolveAsync("m", null));

        _time.Advance(TimeSpan.FromSeconds(25));
        Assert.Equal(2, await index.ResolveAsync("m", null));
    }

    [Fact]
    public async Task ResolveAsync_ManyUnknownNames_KeepsNothingPerName()
    {
        _repository.Versions["m"] = [1];
        var index = CreateIndex();
        await index.ResolveAsync("m", null);

        for (var i = 0; i < 1000; i++)
        {
            await Assert.ThrowsAsync<ModelNotFoundException>(() => index.ResolveAsync($"invented-{i}", null));
        }

        Assert.Equal(1, index.ListedModels);
        Assert.True(index.IsKnown("m"));
        Assert.False(index.IsKnown("invented-0"));
    }

    [Fact]
    public async Task ResolveAsync_ModelUploadedAfterA404_FoundOnTheNextRequest()
    {
        var index = CreateIndex(refreshSeconds: 30);
        await Assert.ThrowsAsync<ModelNotFoundException>(() => index.ResolveAsync("late", null));

        _repository.Versions["late"] = [1];

        Assert.Equal(1, await index.ResolveAsync("late", null));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("x")]
    public void ParseVersion_NotAPositiveInteger_IsNotFound(string version)
    {
        Assert.Throws<ModelNotFoundException>(() => ModelName.ParseVersion("m", version));
    }
}
