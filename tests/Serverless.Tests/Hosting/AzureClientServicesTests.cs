using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Core.Repository;
using Serverless.Functions.Hosting;

namespace Serverless.Tests.Hosting;

/// <summary>
/// AzureWebJobsStorage read as the Functions host reads it, and the clients registered from it: every client comes
/// from DI, none is built by the code that uses it.
/// </summary>
public sealed class AzureClientServicesTests
{
    private const string Azurite = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    [Fact]
    public void From_NothingSet_IsEmbeddedMode()
    {
        Assert.Null(FunctionsStorageConnection.From(Configuration()));
    }

    [Fact]
    public void AddAzureClients_ConnectionString_RegistersTheAccountsServiceClients()
    {
        using var services = Build(Configuration((FunctionsStorageConnection.Setting, Azurite)));

        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", services.GetRequiredService<BlobServiceClient>().Uri.AbsoluteUri.TrimEnd('/'));
        Assert.Equal("http://127.0.0.1:10001/devstoreaccount1", services.GetRequiredService<QueueServiceClient>().Uri.AbsoluteUri.TrimEnd('/'));
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", services.GetRequiredService<TableServiceClient>().Uri.AbsoluteUri.TrimEnd('/'));
    }

    [Fact]
    public void AddAzureClients_AccountNameWithManagedIdentity_ServiceUrisOfThatAccount()
    {
        using var services = Build(Configuration(
            ("AzureWebJobsStorage:accountName", "acct"), ("AzureWebJobsStorage:credential", "managedidentity"), ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001")));

        Assert.Equal("https://acct.blob.core.windows.net/", services.GetRequiredService<BlobServiceClient>().Uri.AbsoluteUri);
        Assert.Equal("https://acct.queue.core.windows.net/", services.GetRequiredService<QueueServiceClient>().Uri.AbsoluteUri);
        Assert.Equal("https://acct.table.core.windows.net/", services.GetRequiredService<TableServiceClient>().Uri.AbsoluteUri);
        Assert.Equal("https://acct.queue.core.windows.net/",
            services.GetRequiredService<IAzureClientFactory<QueueServiceClient>>().CreateClient(AzureClientServices.RawQueueMessages).Uri.AbsoluteUri);
    }

    [Fact]
    public void AddAzureClients_ServiceUris_OverrideTheAccountName()
    {
        using var services = Build(Configuration(
            ("AzureWebJobsStorage:accountName", "acct"), ("AzureWebJobsStorage:queueServiceUri", "https://queues.example.net/")));

        Assert.Equal("https://queues.example.net/", services.GetRequiredService<QueueServiceClient>().Uri.AbsoluteUri);
        Assert.Equal("https://acct.blob.core.windows.net/", services.GetRequiredService<BlobServiceClient>().Uri.AbsoluteUri);
    }

    [Fact]
    public void From_SomeServiceUrisOnly_FailsNamingTheSettings()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionsStorageConnection.From(Configuration(("AzureWebJobsStorage:blobServiceUri", "https://acct.blob.core.windows.net/"))));

        Assert.Contains("AzureWebJobsStorage__accountName, or all of AzureWebJobsStorage__blobServiceUri, __queueServiceUri and __tableServiceUri", error.Message);
    }

    [Fact]
    public void AddModelRepository_BlobUrlInAnotherAccount_ItsOwnClientAtThatAccount()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAzureStorageClients(FunctionsStorageConnection.From(Configuration((FunctionsStorageConnection.Setting, Azurite))));

        services.AddModelRepository(new ModelsOptions { Repository = "https://models.blob.core.windows.net/repository/prefix" });

        using var provider = services.BuildServiceProvider();
        Assert.Equal("https://models.blob.core.windows.net/",
            provider.GetRequiredService<IAzureClientFactory<BlobServiceClient>>().CreateClient(ModelRepositoryServices.BlobClientName).Uri.AbsoluteUri);
    }

    [Fact]
    public void AddModelRepository_BlobUrlWithoutContainer_FailsNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            new ServiceCollection().AddModelRepository(new ModelsOptions { Repository = "https://models.blob.core.windows.net/" }));

        Assert.Contains("Models:Repository", error.Message);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    private static ServiceProvider Build(IConfiguration configuration) =>
        new ServiceCollection().AddLogging().AddAzureStorageClients(FunctionsStorageConnection.From(configuration)).BuildServiceProvider();
}
