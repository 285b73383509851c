using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Storage;

/// <summary>A model repository in a local folder. A version's files (model.onnx, external data) are opened in place: nothing is copied.</summary>
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
                if (!ModelRepositoryLayout.HoldsVersion(dir))
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

    public Task<ModelFile> FetchAsync(ModelKey key, ModelFetchProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(key.Name);
        var folder = new DirectoryInfo(Path.Combine(Location, key.Name, key.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var model = new FileInfo(Path.Combine(folder.FullName, ModelRepositoryLayout.ModelFileName));
        if (!ModelRepositoryLayout.HoldsVersion(folder.FullName))
        {
            throw new ModelNotFoundException($"model '{key.Name}' has no version {key.Version} in the model repository");
        }
        var (files, contentId) = Describe(folder);
        var total = files.Sum(f => f.Length);
        progress?.Begin(total, files.Count);
        progress?.Complete();
        return Task.FromResult(new ModelFile(model.FullName, total, contentId, files.Count));
    }

    public Task<string?> GetContentIdAsync(ModelKey key, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(key.Name);
        var folder = new DirectoryInfo(Path.Combine(Location, key.Name, key.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Task.FromResult<string?>(folder.Exists ? Describe(folder).ContentId : null);
    }

    /// <summary>
    /// The describe path run once on the app's own folder (its top level only, nothing written): the first run loads
    /// OpenSSL for SHA-256 and JIT-compiles the enumeration and ordering, which a folder model's first request otherwise
    /// paid in its fetch (issue 26). Called on the thread pool at start-up.
    /// </summary>
    public static void WarmUp() => Describe(new DirectoryInfo(AppContext.BaseDirectory), recurse: false);

    /// <summary>
    /// The whole version folder (external data, subfolders) counts, and any file's change (size or time) changes the
    /// content id. Symbolic links to folders are not followed, so the walk stays inside the version.
    /// </summary>
    private static (List<FileInfo> Files, string ContentId) Describe(DirectoryInfo folder, bool recurse = true)
    {
        var files = folder.EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = recurse, AttributesToSkip = 0 })
            .OrderBy(f => f.FullName, StringComparer.Ordinal).ToList();
        var identity = string.Join('\n', files.Select(f => $"{Path.GetRelativePath(folder.FullName, f.FullName)}|{f.Length}|{f.LastWriteTimeUtc.Ticks}"));
        return (files, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)))[..16]);
    }
}
