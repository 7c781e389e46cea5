from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import actions
from .forms import LanguageSkillFormSet, ProfileForm


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=user)
        skills = LanguageSkillFormSet(request.POST, prefix="lang")
        if form.is_valid() and skills.is_valid():
            try:
                actions.save_profile(
                    actor=user,
                    user=user,
                    skills=[
                        (f.cleaned_data.get("language", ""), f.cleaned_data.get("level", ""))
                        for f in skills
                        if f.cleaned_data.get("language")
                    ],
                    **{f: form.cleaned_data[f] for f in ProfileForm.Meta.fields},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:profile")
        user.refresh_from_db()
    else:
        form = ProfileForm(instance=user)
        skills = LanguageSkillFormSet(
            prefix="lang",
            initial=[{"language": s.language, "level": s.level} for s in user.languages.all()],
        )
    return render(request, "accounts/profile.html", {"form": form, "skills": skills})
