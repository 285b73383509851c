using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Storage;

/// <summary>A model repository in a local folder. Files are opened in place: nothing is copied.</summary>
public sealed class FolderModelRepository(string root, ILogger<FolderModelRepository> logger) : IModelRepository
{
    private readonly VersionFolderWarnings _ignored = new(logger);

    public string Location { get; } = Path.GetFullPath(root);

    public Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> models = Directory.Exists(Location)
            ? Directory.EnumerateDirectories(Location).Select(Path.GetFileName).OfType<string>()
                .Where(ModelName.IsValid).Order(StringComparer.Ordinal).ToList()
            : [];
        return Task.FromResult(models);
    }

    public Task<IReadOnlyList<long>> ListVersionsAsync(string model, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(model);
        var folder = Path.Combine(Location, model);
        var versions = new List<long>();
        if (Directory.Exists(folder))
        {
            foreach (var dir in Directory.EnumerateDirectories(folder))
            {
                if (!File.Exists(Path.Combine(dir, ModelRepositoryLayout.ModelFileName)))
                {
                    continue;
                }
                if (ModelRepositoryLayout.TryParseVersion(Path.GetFileName(dir), out var version))
                {
                    versions.Add(version);
                }
                else
                {
                    _ignored.Ignored(model, Path.GetFileName(dir));
                }
            }
        }
        versions.Sort();
        return Task.FromResult<IReadOnlyList<long>>(versions);
    }

    public async Task<ModelConfig> ReadConfigAsync(string model, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(model);
        var path = Path.Combine(Location, model, ModelRepositoryLayout.ConfigFileName);
        return File.Exists(path) ? ModelConfig.Parse(model, await File.ReadAllBytesAsync(path, cancellationToken)) : ModelConfig.Default;
    }

    public Task<ModelFile> FetchAsync(ModelKey key, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(key.Name);
        var file = new FileInfo(Path.Combine(Location, key.Name, key.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), ModelRepositoryLayout.ModelFileName));
        if (!file.Exists)
        {
            throw new ModelNotFoundException($"model '{key.Name}' has no version {key.Version} in {Location}");
        }
        return Task.FromResult(new ModelFile(file.FullName, file.Length, $"{file.Length}-{file.LastWriteTimeUtc.Ticks}"));
    }
}
