"""Browser pages for GDAP relationships (partner side) and invitations (customer side)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import relationship_list as relationship_list_selector


@login_required
def relationship_list(request):
    """The actor's GDAP relationships."""
    relationships = relationship_list_selector(actor=request.user).select_related("customer")[:50]
    return render(request, "gdap/relationship_list.html", {"relationships": relationships})
