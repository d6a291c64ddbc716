using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Auditing;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Tests.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Auditing;

/// <summary>A third-party-auditing log with its auditor, which verifies every entry and hands back signed heads.</summary>
internal sealed class AuditedLog
{
    public AuditedLog(ulong maxAuditorLag = 60_000, ulong window = 1_000)
    {
        var signing = EcdsaP256PrivateKey.Generate();
        VrfKeyPair vrf = LogFixture.Suite.Vrf.GenerateKeyPair();
        AuditorKey = EcdsaP256PrivateKey.Generate();
        Configuration = new Configuration
        {
            Mode = DeploymentMode.ThirdPartyAuditing,
            SignaturePublicKey = signing.PublicKey.Encoded.ToArray(),
            VrfPublicKey = vrf.PublicKey.ToArray(),
            AuditorPublicKey = AuditorKey.PublicKey.Encoded.ToArray(),
            MaxAuditorLag = maxAuditorLag,
            AuditorStartPosition = 0,
            MaxAhead = 60_000,
            MaxBehind = 10_000_000,
            ReasonableMonitoringWindow = window,
            MaximumLifetime = null,
        };
        Log = TransparencyLog.Create(LogFixture.Suite, Configuration, signing, vrf);
        Auditor = Auditor.Create(LogFixture.Suite, Configuration, AuditorKey);
    }

    public Configuration Configuration { get; }

    public EcdsaP256PrivateKey AuditorKey { get; }

    public TransparencyLog Log { get; }

    public Auditor Auditor { get; }

    /// <summary>Sequences an entry and, when <paramref name="audit"/>, has the auditor verify it and sign a head.</summary>
    public void Sequence(ulong timestamp, bool audit = true)
    {
        Log.Sequence(timestamp);
        if (audit)
        {
            CatchUp();
        }
    }

    /// <summary>The auditor verifies every entry it has not seen (through the wire encoding) and signs a head.</summary>
    public void CatchUp()
    {
        while (Auditor.TreeSize < Log.Size)
        {
            Auditor.Process(RoundTrip(Log.AuditorUpdateFor(Auditor.TreeSize)));
        }

        Log.AcceptAuditorHead(Auditor.Sign());
    }

    public static AuditorUpdate RoundTrip(AuditorUpdate update) => TlsCodec.Decode<AuditorUpdate>(TlsCodec.Encode(update));
}
