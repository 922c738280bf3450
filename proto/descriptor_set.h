// descriptor_set.h: payvox.v1's protos as a FileDescriptorSet with their
// comments (protoc --include_source_info --include_imports), built into the
// binary. Generated code drops comments; the catalog reads the RPCs' and
// fields' comments from here (actions/proto_schema.h).
#ifndef PAYVOX_PROTO_DESCRIPTOR_SET_H_
#define PAYVOX_PROTO_DESCRIPTOR_SET_H_

#include <string_view>

namespace payvox::v1 {

// DescriptorSetBytes is the serialized google.protobuf.FileDescriptorSet.
std::string_view DescriptorSetBytes();

}  // namespace payvox::v1

#endif  // PAYVOX_PROTO_DESCRIPTOR_SET_H_
