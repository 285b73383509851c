using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Cache;
using Serverless.Core.Repository;

namespace Serverless.Core.Metering;

/// <summary>
/// The price of each model, from the <c>pricing</c> of its config.json or else Metering:DefaultPricing.
/// Refreshed whenever the registry loads a version (the config is read then anyway), so pricing costs nothing per call.
/// </summary>
public sealed class PriceList : IModelLifecycleObserver
{
    private readonly ConcurrentDictionary<string, ModelPricing> _byModel = new(StringComparer.Ordinal);
    private readonly IModelRepository _repository;
    private readonly ModelPricing _default;
    private readonly ILogger _logger;

    public PriceList(IModelRepository repository, IOptions<MeteringOptions> options, ILogger<PriceList> logger)
    {
        _repository = repository;
        _default = options.Value.DefaultPricing;
        _logger = logger;
    }

    public void ModelLoaded(ILoadedModel model) => _byModel[model.Key.Name] = Parse(model.Key.Name, model.Config);

    public async ValueTask<ModelPricing> PricingOfAsync(string model, CancellationToken cancellationToken = default)
    {
        if (_byModel.TryGetValue(model, out var pricing))
        {
            return pricing;
        }
        // Never loaded in this process (e.g. a call refused before its model loaded): read the config once.
        var config = await _repository.ReadConfigAsync(model, cancellationToken);
        return _byModel.GetOrAdd(model, Parse(model, config));
    }

    private ModelPricing Parse(string model, ModelConfig config)
    {
        try
        {
            return ModelPricing.FromConfig(model, config.Pricing, _default);
        }
        catch (InvalidDataException e)
        {
            // A typo in a price must not stop the model from serving; the default applies and the log says why.
            _logger.LogError("{Reason}; charging the default price", e.Message);
            return _default;
        }
    }
}
