namespace OpenCkv.KeyTransparency.Search;

/// <summary>What every response verifier checks of its own inputs before it reads the response.</summary>
internal static class VerifierPreconditions
{
    /// <summary>
    /// The request advertised the retained state's tree size (KT §13), the pinned configuration is well formed,
    /// and its mode is one this verifier handles: contact monitoring or third-party auditing (whose auditor heads
    /// <see cref="VerifierSession"/> checks). Third-party management responses are refused.
    /// </summary>
    /// <exception cref="ArgumentException">The request did not advertise the state's size.</exception>
    /// <exception cref="NotSupportedException">Another deployment mode.</exception>
    public static void Check(Configuration configuration, ClientState? state, ulong? advertised, string requestParameter)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (advertised != state?.TreeSize)
        {
            throw new ArgumentException("The request must advertise the state's tree size.", requestParameter);
        }

        configuration.Validated();
        if (configuration.Mode == DeploymentMode.ThirdPartyManagement)
        {
            throw new NotSupportedException($"Verifying {configuration.Mode} responses is not implemented yet.");
        }
    }
}
