using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tests.Structures;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>Third-party management, whose checks are not implemented, is refused, never half-verified.</summary>
public sealed class ModeTests
{
    [Theory]
    [InlineData(DeploymentMode.ThirdPartyManagement)]
    public void Third_party_management_is_refused_by_the_operator_and_the_verifier(DeploymentMode mode)
    {
        var signingKey = EcdsaP256PrivateKey.Generate();
        var vrfKey = LogFixture.Suite.Vrf.GenerateKeyPair();
        Configuration config = StructureCodecTests.Config(mode) with
        {
            SignaturePublicKey = signingKey.PublicKey.Encoded.ToArray(),
            VrfPublicKey = vrfKey.PublicKey.ToArray(),
        };
        Assert.Throws<ArgumentException>(() => TransparencyLog.Create(LogFixture.Suite, config, signingKey, vrfKey));

        TransparencyLog log = LogFixture.NewLog();
        log.Stage(LogFixture.Label(0), [1]);
        log.Sequence(1_000);
        var request = new SearchRequest(null, LogFixture.Label(0), null);
        SearchResponse response = log.Search(request);
        Assert.Throws<NotSupportedException>(() => SearchVerifier.Verify(LogFixture.Suite, config, null, request, response, 1_000));
    }
}
