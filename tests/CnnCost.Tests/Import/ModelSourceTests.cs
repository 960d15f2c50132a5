using CnnCost.Import;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>How a model argument is resolved: a zoo name, a prototxt, an ONNX file, or an error naming the accepted types.</summary>
public class ModelSourceTests
{
    [Fact]
    public void A_zoo_name_loads_the_zoo_network_without_a_file_batch_or_notes()
    {
        var model = ModelSource.Load("lenet");
        Assert.Equal("lenet", model.Network.Name);
        Assert.Null(model.FileBatch);
        Assert.Empty(model.Notes);
        Assert.Throws<ArgumentNullException>(() => ModelSource.Load(null!));
    }

    [Fact]
    public void Files_are_read_by_their_extension_and_other_existing_files_are_refused()
    {
        var directory = Directory.CreateTempSubdirectory("cnncost-source-");
        try
        {
            var prototxt = Path.Combine(directory.FullName, "tiny.PROTOTXT");
            File.WriteAllText(prototxt, "name: \"tiny\" input: \"data\" input_dim: 2 input_dim: 3 input_dim: 4 input_dim: 4");
            Assert.Equal(("tiny", 2), (ModelSource.Load(prototxt).Network.Name, ModelSource.Load(prototxt).FileBatch));
            foreach (var extension in new[] { ".pbtxt", ".txt" })
            {
                var other = Path.ChangeExtension(prototxt, extension);
                File.Copy(prototxt, other);
                Assert.Equal("tiny", ModelSource.Load(other).Network.Name);
            }

            var onnx = Path.Combine(directory.FullName, "small.onnx");
            File.WriteAllBytes(onnx, Google.Protobuf.MessageExtensions.ToByteArray(OnnxModels.Small()));
            Assert.Equal("small", ModelSource.Load(onnx).Network.Name);

            var unknown = Path.Combine(directory.FullName, "model.h5");
            File.WriteAllText(unknown, "");
            var error = Assert.Throws<CnnCostException>(() => ModelSource.Load(unknown));
            Assert.Equal($"{unknown}: unknown model file type '.h5': CnnCost reads .prototxt and .onnx", error.Message);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_name_that_is_neither_a_file_nor_a_zoo_network_lists_the_zoo()
    {
        var error = Assert.Throws<CnnCostException>(() => ModelSource.Load("no-such-net"));
        Assert.Contains("vgg16", error.Message);
    }

    [Fact]
    public void A_file_named_like_a_zoo_network_is_read_as_a_file_not_the_zoo_network()
    {
        // The zoo's names are case-insensitive; a file in the working directory that spells one wins over it.
        const string name = "aLeXnEt";
        File.WriteAllText(name, "");
        try
        {
            Assert.Equal($"{name}: unknown model file type '': CnnCost reads .prototxt and .onnx",
                Assert.Throws<CnnCostException>(() => ModelSource.Load(name)).Message);
        }
        finally
        {
            File.Delete(name);
        }
    }

    [Fact]
    public void A_missing_prototxt_is_a_file_error_not_an_unknown_zoo_name()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cnncost-missing-{Guid.NewGuid():N}.prototxt");
        Assert.StartsWith($"{path}: cannot be read", Assert.Throws<ModelFormatException>(() => ModelSource.Load(path)).Message, StringComparison.Ordinal);
    }
}
