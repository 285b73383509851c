using Azure.Storage;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Options;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Registers the model repository Models:Repository names: a folder, or a blob container URL with an optional prefix.
/// A blob repository may live in another account than AzureWebJobsStorage: its own client, read with
/// Models:ConnectionString when set, else with the app's credential (<see cref="AzureClientServices"/>).
/// </summary>
public static class ModelRepositoryServices
{
    public const string BlobClientName = "ModelRepository";

    public static IServiceCollection AddModelRepository(this IServiceCollection services, ModelsOptions models)
    {
        var location = string.IsNullOrWhiteSpace(models.Repository) ? SampleModels.Directory() : models.Repository.Trim();
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || uri.IsFile)
        {
            return services.AddSingleton<IModelRepository>(sp => new FolderModelRepository(location, sp.GetRequiredService<ILogger<FolderModelRepository>>()));
        }
        var parts = new BlobUriBuilder(uri);
        if (string.IsNullOrEmpty(parts.BlobContainerName))
        {
            throw new OptionsValidationException(ModelsOptions.Section, typeof(ModelsOptions), [$"Models:Repository '{location}' names no blob container"]);
        }
        services.AddNamedBlobServiceClient(BlobClientName, models.ConnectionString, new BlobUriBuilder(uri) { BlobContainerName = "", BlobName = "" }.ToUri());
        return services.AddSingleton<IModelRepository>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ModelsOptions>>().Value;
            // Every range the same size, the first included: the SDK's default first GET of 256 MB is one slow stream.
            var transfer = new StorageTransferOptions
            {
                InitialTransferSize = options.DownloadChunkBytes,
                MaximumTransferSize = options.DownloadChunkBytes,
                MaximumConcurrency = options.DownloadConcurrency,
            };
            return new BlobModelRepository(sp.GetRequiredService<IAzureClientFactory<BlobServiceClient>>().CreateClient(BlobClientName).GetBlobContainerClient(parts.BlobContainerName), parts.BlobName ?? "",
                sp.GetRequiredService<IOptions<StorageOptions>>().Value.ModelCacheDirectory, transfer, sp.GetRequiredService<ILogger<BlobModelRepository>>());
        });
    }
}
