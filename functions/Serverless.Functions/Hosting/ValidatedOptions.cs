using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Serverless.Functions.Hosting;

/// <summary>
/// How every options section is bound: from configuration, validated by its data annotations, at start-up. A value
/// the binder cannot take is a validation failure like any other, naming the key: on its own the binder throws an
/// InvalidOperationException for an enum typo, and takes a number or a comma list for any enum.
/// </summary>
/// <remarks>
/// The annotations are checked by each section's source-generated validator (<c>[OptionsValidator]</c>, beside the
/// options class), not by the reflection-based ValidateDataAnnotations: on a cold start that one spent ~55 ms on the
/// main thread walking properties and attributes (its first Regex and TypeDescriptor lookups alone ~35 ms).
/// </remarks>
public static class ValidatedOptions
{
    public static OptionsBuilder<T> AddValidatedOptions<T, TValidator>(this IServiceCollection services, string section)
        where T : class where TValidator : class, IValidateOptions<T>, new()
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, TValidator>());
        return services.AddOptions<T>()
            .Configure<IConfiguration>((options, configuration) => Bind(configuration.GetSection(section), options))
            .ValidateOnStart();
    }

    /// <summary>
    /// The section bound and validated now, for the decisions registration makes (which store, which clients); the
    /// same failures as at start-up, only earlier.
    /// </summary>
    public static T Read<T, TValidator>(IConfiguration configuration, string section)
        where T : class, new() where TValidator : class, IValidateOptions<T>, new()
    {
        var options = new T();
        Bind(configuration.GetSection(section), options);
        var result = new TValidator().Validate(Options.DefaultName, options);
        return result.Failed ? throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures) : options;
    }

    private static void Bind<T>(IConfigurationSection section, T options) where T : class
    {
        var failures = UnknownEnumValues(section, typeof(T)).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(T), failures);
        }
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(T), [e.Message]);
        }
    }

    /// <summary>Enum settings whose value is none of the enum's names (compared ignoring case, as the binder does).</summary>
    private static IEnumerable<string> UnknownEnumValues(IConfigurationSection section, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var enumType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (!enumType.IsEnum || section[property.Name] is not { } value || string.IsNullOrWhiteSpace(value))
            {
                continue;
            }
            var names = Enum.GetNames(enumType);
            if (!names.Any(name => name.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase)))
            {
                yield return $"{section.Path}:{property.Name} must be one of {string.Join(", ", names.Select(n => n.ToLowerInvariant()))}; '{value}' is not.";
            }
        }
    }
}
