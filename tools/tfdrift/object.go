package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// object is drifttest_object: a JSON file <root>/<name>.json holding its
// content and labels.
type object struct{ root string }

func newObject() resource.Resource { return &object{} }

type objectModel struct {
	ID      types.String `tfsdk:"id"`
	Name    types.String `tfsdk:"name"`
	Content types.String `tfsdk:"content"`
	Labels  types.Map    `tfsdk:"labels"`
}

// onDisk is the file's form.
type onDisk struct {
	Content string            `json:"content"`
	Labels  map[string]string `json:"labels,omitempty"`
}

func (o *object) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_object"
}

func (o *object) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":      schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"name":    schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"content": schema.StringAttribute{Required: true},
		"labels":  schema.MapAttribute{Optional: true, ElementType: types.StringType},
	}}
}

func (o *object) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	if root, ok := req.ProviderData.(string); ok {
		o.root = root
	}
}

func (o *object) file(name string) string { return filepath.Join(o.root, name+".json") }

func (o *object) write(ctx context.Context, m *objectModel) error {
	d := onDisk{Content: m.Content.ValueString()}
	if !m.Labels.IsNull() {
		d.Labels = map[string]string{}
		if diags := m.Labels.ElementsAs(ctx, &d.Labels, false); diags.HasError() {
			return errors.New("labels must be strings")
		}
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.root, 0o755); err != nil {
		return err
	}
	m.ID = types.StringValue(m.Name.ValueString())
	return os.WriteFile(o.file(m.Name.ValueString()), data, 0o644)
}

// save writes the planned object and records it in the state: Create
// and Update alike.
func (o *object) save(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics) {
	var m objectModel
	diags.Append(plan.Get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	if err := o.write(ctx, &m); err != nil {
		diags.AddError("writing the object", err.Error())
		return
	}
	diags.Append(state.Set(ctx, &m)...)
}

func (o *object) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	o.save(ctx, req.Plan, &resp.State, &resp.Diagnostics)
}

// Read is what drift detection sees: the file as it is now, or the
// object gone when someone deleted it.
func (o *object) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m objectModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data, err := os.ReadFile(o.file(m.Name.ValueString()))
	if errors.Is(err, os.ErrNotExist) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("reading the object", err.Error())
		return
	}
	var d onDisk
	if err := json.Unmarshal(data, &d); err != nil {
		resp.Diagnostics.AddError("reading the object", err.Error())
		return
	}
	m.Content = types.StringValue(d.Content)
	if d.Labels != nil || !m.Labels.IsNull() {
		labels, diags := types.MapValueFrom(ctx, types.StringType, d.Labels)
		resp.Diagnostics.Append(diags...)
		m.Labels = labels
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (o *object) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	o.save(ctx, req.Plan, &resp.State, &resp.Diagnostics)
}

func (o *object) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m objectModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := os.Remove(o.file(m.Name.ValueString())); err != nil && !errors.Is(err, os.ErrNotExist) {
		resp.Diagnostics.AddError("deleting the object", err.Error())
	}
}

func (o *object) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("name"), req, resp)
}
