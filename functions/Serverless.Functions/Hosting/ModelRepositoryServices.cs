using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;

namespace Serverless.Functions.Hosting;

/// <summary>Builds the model repository Models:Repository names: a folder, or a blob container URL with an optional prefix.</summary>
public static class ModelRepositoryFactory
{
    public static IModelRepository Create(IServiceProvider services)
    {
        var models = services.GetRequiredService<IOptions<ModelsOptions>>().Value;
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var location = string.IsNullOrWhiteSpace(models.Repository) ? SampleModels.Directory() : models.Repository.Trim();
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || uri.IsFile)
        {
            return new FolderModelRepository(location, services.GetRequiredService<ILogger<FolderModelRepository>>());
        }
        var parts = new BlobUriBuilder(uri);
        if (string.IsNullOrEmpty(parts.BlobContainerName))
        {
            throw new OptionsValidationException(ModelsOptions.Section, typeof(ModelsOptions), [$"Models:Repository '{location}' names no blob container"]);
        }
        var container = string.IsNullOrEmpty(models.ConnectionString)
            ? new BlobContainerClient(new BlobUriBuilder(uri) { BlobName = "" }.ToUri(), new DefaultAzureCredential())
            : new BlobContainerClient(models.ConnectionString, parts.BlobContainerName);
        // Every range the same size, the first included: the SDK's default first GET of 256 MB is one slow stream.
        var transfer = new StorageTransferOptions
        {
            InitialTransferSize = models.DownloadChunkBytes,
            MaximumTransferSize = models.DownloadChunkBytes,
            MaximumConcurrency = models.DownloadConcurrency,
        };
        return new BlobModelRepository(container, parts.BlobName ?? "", storage.ModelCacheDirectory, transfer,
            services.GetRequiredService<ILogger<BlobModelRepository>>());
    }
}
