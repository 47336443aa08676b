package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type driftProvider struct{}

func newProvider() provider.Provider { return &driftProvider{} }

type providerModel struct {
	Root types.String `tfsdk:"root"`
}

func (p *driftProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "drifttest"
}

func (p *driftProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"root": schema.StringAttribute{Required: true, Description: "the directory the objects are files in"},
	}}
}

func (p *driftProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Root.ValueString() == "" {
		resp.Diagnostics.AddError("root is empty", "set root to the directory the objects are kept in")
		return
	}
	resp.ResourceData = m.Root.ValueString()
}

func (p *driftProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newObject}
}

func (p *driftProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
