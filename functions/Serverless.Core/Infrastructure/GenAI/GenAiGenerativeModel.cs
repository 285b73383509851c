using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntimeGenAI;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Repository;
using Serverless.Core.Text.Generation;

namespace Serverless.Core.Infrastructure.GenAI;

/// <summary>
/// A text generator on ONNX Runtime GenAI, opened from a version folder in GenAI's layout (genai_config.json, the
/// decoder, tokenizer.json, tokenizer_config.json). Runs on GenAI's CPU provider in both flavors; each generation
/// gets its own GenAI Generator (GenAI's C# API has no continuous batching), its steps on thread-pool threads.
/// Dispose retires it: GenAI's model and tokenizer are freed when the last running generation ends.
/// </summary>
public sealed class GenAiGenerativeModel : IGenerativeModel, IDisposable
{
    private readonly Model _model;
    private readonly Tokenizer _tokenizer;
    private readonly GenAiFolder _folder;
    private readonly object _gate = new();
    private int _running;
    private bool _retired;
    private bool _freed;

    private GenAiGenerativeModel(ModelKey key, ModelConfig config, long sizeBytes, GenAiFolder folder, Model model, Tokenizer tokenizer)
    {
        Key = key;
        Config = config;
        SizeBytes = sizeBytes;
        _folder = folder;
        _model = model;
        _tokenizer = tokenizer;
        Info = new GenerativeModelInfo(folder.ContextLength, folder.ModelType, folder.ChatTemplate is not null);
        Lifetime = new ModelLifetime(Dispose);
    }

    /// <summary>Whether a version folder is a GenAI model: it has a genai_config.json.</summary>
    public static bool IsGenAiFolder(string directory) => GenAiFolder.Is(directory);

    /// <summary>Opens the folder on GenAI's CPU provider; a folder GenAI cannot read throws <see cref="ModelLoadException"/>.</summary>
    /// <param name="sizeBytes">The folder's bytes, counted against Models:MaxLoadedBytes.</param>
    public static GenAiGenerativeModel Open(ModelKey key, string versionDirectory, ModelConfig config, long sizeBytes, ILogger? logger = null, string contentId = "")
    {
        logger ??= NullLogger.Instance;
        var started = Stopwatch.GetTimestamp();
        GenAiRuntime.EnsureStarted();
        if (GenAiRuntime.ServiceRuntimeHasCuda())
        {
            logger.LogWarning("{Model} v{Version} is a generative model: it runs on the CPU, since ONNX Runtime GenAI's CUDA package is not part of this build (docs/gpu.md)",
                key.Name, key.Version);
        }

        GenAiFolder folder;
        Model? model = null;
        try
        {
            folder = GenAiFolder.Read(versionDirectory);
            using var genAiConfig = new Config(versionDirectory);
            // The CPU provider whatever the folder asks for: GenAI's CUDA add-on is not served (docs/gpu.md).
            genAiConfig.ClearProviders();
            if (config.IntraOpThreads is { } threads)
            {
                genAiConfig.Overlay("{\"model\": {\"decoder\": {\"session_options\": {\"intra_op_num_threads\": " + threads + "}}}}");
            }

            model = new Model(genAiConfig);
            var tokenizer = new Tokenizer(model);
            return new GenAiGenerativeModel(key, config, sizeBytes, folder, model, tokenizer) { LoadTime = Stopwatch.GetElapsedTime(started), ContentId = contentId };
        }
        catch (Exception e) when (e is OnnxRuntimeGenAIException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            model?.Dispose();
            throw new ModelLoadException($"model {key}: the generative model folder could not be opened: {e.Message}", e);
        }
    }

    public ModelKey Key { get; }

    public ModelConfig Config { get; }

    public long SizeBytes { get; }

    public bool OnGpu => false;

    public ModelKind Kind => ModelKind.Generative;

    /// <summary>The content it was loaded from, so an explicit load can tell whether the repository's copy changed.</summary>
    public string ContentId { get; init; } = "";

    /// <summary>No graph the tensor API could run: GenAI owns the decoder's sessions.</summary>
    public LoadedModel? Graph => null;

    /// <summary>The registry's leases; the last one released after retirement disposes the model (and GenAI's objects once no generation runs).</summary>
    public ModelLifetime Lifetime { get; }

    public TimeSpan LoadTime { get; private init; }

    public GenerativeModelInfo Info { get; }

    public IReadOnlyList<int> Tokenize(GenerationInput input)
    {
        string text;
        if (input.Messages is { } messages)
        {
            if (_folder.ChatTemplate is not { } template)
            {
                throw new InvalidInferenceInputException($"model {Key.Name} has no chat template (tokenizer_config.json chat_template): send a prompt instead of messages");
            }

            var json = ChatPrompt.MessagesJson(messages, template);
            try
            {
                text = _tokenizer.ApplyChatTemplate(template, json, null, true);
            }
            catch (OnnxRuntimeGenAIException e)
            {
                // A template refuses a chat with raise_exception (a role out of order, say); its message comes first,
                // then the template's source, which is of no use to the caller.
                var reason = e.Message.Split(" at row ", 2)[0].Trim();
                throw new InvalidInferenceInputException($"messages do not fit model {Key.Name}'s chat template: {reason}", e);
            }
        }
        else if (input.Prompt is { Length: > 0 } prompt)
        {
            text = prompt;
        }
        else
        {
            throw new InvalidInferenceInputException("prompt is empty");
        }

        using var sequences = _tokenizer.Encode(text);
        var ids = sequences[0].ToArray();
        if (ids.Length == 0)
        {
            throw new InvalidInferenceInputException("prompt is empty");
        }

        return ids;
    }

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(IReadOnlyList<int> promptTokens, GenerationOptions options, GenerationProgress progress,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = Validate(promptTokens, options);
        var maxLength = (int)Math.Min((long)prompt.Length + options.MaxTokens, Info.ContextLength);
        Enter();
        try
        {
            var generation = new GenAiGeneration(_model, _tokenizer, _folder, prompt, options, maxLength, progress);
            await foreach (var e in generation.RunAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            Exit();
        }
    }

    private int[] Validate(IReadOnlyList<int> promptTokens, GenerationOptions options)
    {
        if (promptTokens.Count == 0)
        {
            throw new InvalidInferenceInputException("prompt is empty");
        }

        if (options.MaxTokens < 1)
        {
            throw new InvalidInferenceInputException($"max_tokens is {options.MaxTokens}; it must be at least 1");
        }

        if (promptTokens.Count >= Info.ContextLength)
        {
            throw new InvalidInferenceInputException(
                $"the prompt is {promptTokens.Count} tokens; model {Key.Name}'s context length is {Info.ContextLength}, which leaves no room to generate");
        }

        var prompt = promptTokens.ToArray();
        foreach (var id in prompt)
        {
            if (id < 0 || id >= _folder.VocabSize)
            {
                throw new InvalidInferenceInputException($"token id {id} is outside model {Key.Name}'s vocabulary (0 to {_folder.VocabSize - 1})");
            }
        }

        return prompt;
    }

    private void Enter()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_freed, this);
            _running++;
        }
    }

    private void Exit()
    {
        lock (_gate)
        {
            _running--;
            FreeIfIdle();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _retired = true;
            FreeIfIdle();
        }
    }

    private void FreeIfIdle()
    {
        if (_retired && _running == 0 && !_freed)
        {
            _freed = true;
            _tokenizer.Dispose();
            _model.Dispose();
        }
    }
}
